"""Learner state in the course pages' slots (courses/page_cache.py, decision 0175).

The course pages are rendered once for every reader with slots where a learner's state goes;
learners/fragments.py renders a learner template whose `{% fragment %}` blocks fill them.
"""

from django import template

register = template.Library()


class FragmentNode(template.Node):
    """Renders its content into the `fragments` dict of the context, and nothing in place."""

    def __init__(self, name, arg, nodelist):
        self.name, self.arg, self.nodelist = name, arg, nodelist

    def render(self, context) -> str:
        name = self.name.resolve(context)
        arg = self.arg.resolve(context) if self.arg is not None else ""
        key = f"{name}:{arg}" if arg != "" else name
        context["fragments"][key] = self.nodelist.render(context)
        return ""


@register.tag
def fragment(parser, token):
    """`{% fragment "name" [arg] %}…{% endfragment %}`: the HTML for the page's slot `name`."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("fragment takes a slot name and an optional argument")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name = parser.compile_filter(bits[1])
    arg = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return FragmentNode(name, arg, nodelist)
