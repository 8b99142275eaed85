"""Fail on `apps.get_model(...)` on Django's global app registry outside migrations (issue 17).

A lookup by label (`apps.get_model("campaigns", "Cohort")`) is an import that import-linter cannot
see: it let a lower room use a higher room's models while the import lines looked clean. Outside
migrations, a model is imported from the room that defines it, which must be a room below
(docs/architecture.md). Migrations keep `apps.get_model`: there `apps` is the historical registry.

What counts (read from the syntax tree, so strings and comments never do):
  - `apps.get_model(...)` / `apps.get_registered_model(...)` where `apps` is bound to the global
    registry by `from django.apps import apps [as name]` or `from django import apps` (`apps.apps`),
    or by an assignment from such a name (`registry = apps`, `apps = apps or global_apps`);
  - `django.apps.apps.get_model(...)` after `import django` / `import django.apps [as name]`;
  - `<global registry>.get_app_config(label).get_model(...)`.
What does not: a function parameter named `apps` (the historical registry a data migration passes
to helpers such as `core.roles.create_roles(apps, schema_editor)`), unless the function rebinds it
to the global registry (`if apps is None: from django.apps import apps`), and any other object's
`get_model`.

Run: `python lint/apps_get_model.py [ROOT]` (make lint and .ci/run's lint step do); exit 1 on a use.
"""

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path
from lint_files import python_files

LOOKUPS = {"get_model", "get_registered_model"}
REGISTRY = "registry"  # the global django.apps.apps
DJANGO = "module:django"
DJANGO_APPS = "module:django.apps"
OTHER = "other"
THIS_FILE = Path(__file__).resolve()

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_SCOPES = (*_FUNCTIONS, ast.ClassDef, ast.Module)


class Scope:
    """The names one module, class or function binds, each with what it may be bound to."""

    def __init__(self, node: ast.AST, parent: "Scope | None"):
        self.node, self.parent = node, parent
        self.kinds: dict[str, set[str]] = {}
        self.assignments: list[tuple[str, ast.expr]] = []

    def bind(self, name: str, kind: str) -> None:
        self.kinds.setdefault(name, set()).add(kind)

    def lookup(self, name: str) -> set[str]:
        """What `name` may refer to here, following Python's rules (class bodies do not enclose)."""
        if name in self.kinds:
            return self.kinds[name]
        scope = self.parent
        while scope is not None:
            if name in scope.kinds and not isinstance(scope.node, ast.ClassDef):
                return scope.kinds[name]
            scope = scope.parent
        return set()


def _own_nodes(node: ast.AST):
    """The nodes inside `node` that belong to its scope (nested functions/classes excluded)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            continue
        yield child
        yield from _own_nodes(child)


def _child_scopes(node: ast.AST):
    """The functions and classes directly nested in `node`'s scope."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            yield child
        else:
            yield from _child_scopes(child)


def _collect(scope: Scope) -> None:
    node = scope.node
    if isinstance(node, _FUNCTIONS):
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                scope.bind(arg.arg, OTHER)
    for child in _own_nodes(node):
        if isinstance(child, ast.Import):
            for alias in child.names:
                if alias.asname:
                    kind = DJANGO_APPS if alias.name == "django.apps" else OTHER
                    scope.bind(alias.asname, kind)
                else:
                    top = alias.name.split(".")[0]
                    scope.bind(top, DJANGO if top == "django" else OTHER)
        elif isinstance(child, ast.ImportFrom) and child.level == 0:
            for alias in child.names:
                bound = alias.asname or alias.name
                if child.module == "django.apps" and alias.name == "apps":
                    scope.bind(bound, REGISTRY)
                elif child.module == "django" and alias.name == "apps":
                    scope.bind(bound, DJANGO_APPS)
                else:
                    scope.bind(bound, OTHER)
        elif isinstance(child, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and child.value:
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    scope.assignments.append((target.id, child.value))
    for name, _value in scope.assignments:
        scope.bind(name, OTHER)


def _kinds(expr: ast.expr, scope: Scope) -> set[str]:
    """What `expr` may evaluate to, as far as the global registry is concerned."""
    if isinstance(expr, ast.Name):
        return scope.lookup(expr.id)
    if isinstance(expr, ast.Attribute):
        base = _kinds(expr.value, scope)
        kinds = set()
        if DJANGO in base and expr.attr == "apps":
            kinds.add(DJANGO_APPS)
        if DJANGO_APPS in base and expr.attr == "apps":
            kinds.add(REGISTRY)
        return kinds
    if isinstance(expr, ast.BoolOp):
        return set().union(*(_kinds(value, scope) for value in expr.values))
    if isinstance(expr, ast.IfExp):
        return _kinds(expr.body, scope) | _kinds(expr.orelse, scope)
    if isinstance(expr, ast.NamedExpr):
        return _kinds(expr.value, scope)
    return set()


def _settle(scopes: list[Scope]) -> None:
    """Propagate assignments (`registry = apps`) until nothing changes."""
    changed = True
    while changed:
        changed = False
        for scope in scopes:
            for name, value in scope.assignments:
                new = _kinds(value, scope) - scope.kinds[name]
                if new:
                    scope.kinds[name] |= new
                    changed = True


def _is_global_lookup(call: ast.Call, scope: Scope) -> bool:
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in LOOKUPS):
        return False
    target = func.value
    if REGISTRY in _kinds(target, scope):
        return True
    # apps.get_app_config("campaigns").get_model("Cohort")
    return (
        isinstance(target, ast.Call)
        and isinstance(target.func, ast.Attribute)
        and target.func.attr == "get_app_config"
        and REGISTRY in _kinds(target.func.value, scope)
    )


def check_source(source: str, relative: str) -> list[str]:
    """Each global-registry lookup in `source` as `path:line: call  (what to do)`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    scopes: list[Scope] = []

    def build(node: ast.AST, parent: Scope | None) -> None:
        scope = Scope(node, parent)
        _collect(scope)
        scopes.append(scope)
        for inner in _child_scopes(node):
            build(inner, scope)

    build(tree, None)
    _settle(scopes)
    found = []
    for scope in scopes:
        for node in _own_nodes(scope.node):
            if isinstance(node, ast.Call) and _is_global_lookup(node, scope):
                call = ast.get_source_segment(source, node) or ""
                call = " ".join(call.split())
                found.append(
                    f"{relative}:{node.lineno}: {call}  (global app registry outside migrations: "
                    "import the model from a room below)"
                )
    return found


def scan(root: Path) -> list[str]:
    found = []
    for path, relative in python_files(root, exclude=THIS_FILE):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found.extend(check_source(source, relative))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else THIS_FILE.parent.parent
    found = scan(root)
    if found:
        print("apps.get_model outside migrations (lint/apps_get_model.py, docs/architecture.md):")
        print("\n".join(found))
        return 1
    print("apps.get_model on the global registry outside migrations: none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
