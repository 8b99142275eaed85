"""Create the staff roles (Trainers, Program officers, Administrators) with their permissions."""

from django.db import migrations

from core.roles import create_roles, remove_roles


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
