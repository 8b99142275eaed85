"""Staff permissions on course snippets and media, and the course review workflow."""

from django.db import migrations

from core.roles import (
    ADMINISTRATORS,
    PROGRAM_OFFICERS,
    TRAINERS,
    create_all_permissions,
    grant_model_perms,
)

COURSE_MODEL_PERMISSIONS = {
    TRAINERS: (
        "courses.add_topic",
        "courses.change_topic",
        "courses.view_topic",
        "wagtail_localize.submit_translation",
    ),
    PROGRAM_OFFICERS: (
        "courses.add_topic",
        "courses.change_topic",
        "courses.view_topic",
        "wagtail_localize.submit_translation",
    ),
    ADMINISTRATORS: (
        "courses.add_topic",
        "courses.change_topic",
        "courses.delete_topic",
        "courses.view_topic",
        "wagtail_localize.submit_translation",
    ),
}
MEDIA_COLLECTION_PERMISSIONS = {
    TRAINERS: ("add_lessonmedia", "change_lessonmedia"),
    PROGRAM_OFFICERS: ("add_lessonmedia", "change_lessonmedia"),
    ADMINISTRATORS: ("add_lessonmedia", "change_lessonmedia", "delete_lessonmedia"),
}
REVIEW_WORKFLOW = "Course review"
REVIEW_TASK = "Reviewer approval (program officers or administrators)"


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_collection = Collection.objects.filter(depth=1).first()
    for role, perms in COURSE_MODEL_PERMISSIONS.items():
        grant_model_perms(apps, role, perms)
        group = Group.objects.get(name=role)
        for codename in MEDIA_COLLECTION_PERMISSIONS[role]:
            if root_collection is None:
                continue
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(
                    content_type__app_label="courses", codename=codename
                ),
            )


def create_review_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=REVIEW_TASK, content_type=task_type, active=True
        )
    task.groups.set(Group.objects.filter(name__in=(PROGRAM_OFFICERS, ADMINISTRATORS)))
    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})


def remove_review_workflow(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=REVIEW_WORKFLOW).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=REVIEW_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("cms", "0002_staff_roles"),
        ("wagtailmedia", "0005_alter_media_options"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_review_workflow, remove_review_workflow),
    ]
