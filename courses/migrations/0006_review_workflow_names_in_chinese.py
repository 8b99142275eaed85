"""Names stored in the database are shown as they are in the admin ("提交给Course review"), never
translated: give the review workflow and task, Wagtail's own default workflow, task and groups,
the root page and the root collection their Chinese names (decision 0087)."""

from django.db import migrations

NAMES = {
    "Course review": "课程审核",
    "Reviewer approval (program officers or administrators)": "审核人批准（项目官员或系统管理员）",
    "Moderators approval": "版主审批（Wagtail 默认，未使用）",
}
GROUPS = {"Moderators": "版主（Wagtail 默认）", "Editors": "编辑（Wagtail 默认）"}
ROOT = {"Root": "根目录"}


def rename(apps, schema_editor, names=NAMES, groups=GROUPS, root=ROOT):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    for old, new in names.items():
        Workflow.objects.filter(name=old).update(name=new)
        Task.objects.filter(name=old).update(name=new)
    for old, new in groups.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    for old, new in root.items():
        Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
        Collection.objects.filter(depth=1, name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(
        apps,
        schema_editor,
        {new: old for old, new in NAMES.items()},
        {new: old for old, new in GROUPS.items()},
        {new: old for old, new in ROOT.items()},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_lessonmedia_synthetic_voice"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
