"""The audit log records role changes and what other rooms report; only Administrators read it."""

import pytest
from django.contrib.auth.models import Group

from core.audit import ROLE_ADDED, ROLE_REMOVED, audit_record
from core.models import AuditLog

from .factories import StaffFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/audit_log/"


def test_adding_a_user_to_a_group_is_recorded():
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Program officers"))
    entry = AuditLog.objects.get(action=ROLE_ADDED)
    assert entry.object_type == "auth.user"
    assert entry.object_id == str(user.pk)
    assert entry.details == {"group": "Program officers"}


def test_removing_a_user_from_a_group_is_recorded_from_the_group_side():
    user = StaffFactory(groups=["Trainers"])
    Group.objects.get(name="Trainers").user_set.remove(user)
    entry = AuditLog.objects.get(action=ROLE_REMOVED)
    assert entry.object_id == str(user.pk)
    assert entry.details == {"group": "Trainers"}


def test_clearing_groups_records_each_removed_role():
    user = StaffFactory(groups=["Trainers", "Program officers"])
    user.groups.clear()
    removed = AuditLog.objects.filter(action=ROLE_REMOVED).order_by("details__group")
    assert [entry.details["group"] for entry in removed] == ["Program officers", "Trainers"]


def test_role_change_in_the_wagtail_user_editor_names_the_administrator(client):
    admin = StaffFactory(is_superuser=True, is_staff=True)
    user = StaffFactory(first_name="Wang", last_name="Fang", email="wf@example.org")
    client.force_login(admin)
    officers = Group.objects.get(name="Program officers")
    response = client.post(
        f"/admin/users/edit/{user.pk}/",
        {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": "on",
            "groups": [officers.pk],
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditLog.objects.get(action=ROLE_ADDED, object_id=str(user.pk))
    assert entry.actor == admin
    assert entry.actor_label == admin.username
    assert entry.ip == "192.0.2.10"


def test_audit_record_keeps_the_target_and_details_other_rooms_pass():
    officer = StaffFactory(groups=["Program officers"])
    target = StaffFactory()
    entry = audit_record(
        actor=officer, action="export.created", target=target, details={"rows": 1200}
    )
    entry.refresh_from_db()
    assert entry.actor_label == officer.username
    assert entry.object_type == "auth.user"
    assert entry.object_repr == str(target)
    assert entry.details == {"rows": 1200}


def test_audit_entry_survives_the_actor_being_deleted():
    officer = StaffFactory(groups=["Program officers"])
    entry = audit_record(actor=officer, action="certificate.revoked")
    officer.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label


@pytest.mark.parametrize(
    ("groups", "superuser", "expected"),
    [
        (["Administrators"], False, 200),
        ([], True, 200),
        (["Program officers"], False, "denied"),
        (["Trainers"], False, "denied"),
    ],
)
def test_only_administrators_can_read_the_audit_log(client, groups, superuser, expected):
    audit_record(actor=None, action="export.created", details={"rows": 3})
    user = StaffFactory(is_staff=True, is_superuser=superuser, groups=groups)
    client.force_login(user)
    response = client.get(INDEX)
    if expected == 200:
        assert response.status_code == 200
        assert b"export.created" in response.content
    else:
        assert response.status_code in (302, 403)
        assert b"export.created" not in response.content


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_administrator_can_inspect_an_entry(client):
    entry = audit_record(actor=None, action="export.created", details={"rows": 3})
    client.force_login(StaffFactory(is_staff=True, groups=["Administrators"]))
    response = client.get(f"{INDEX}inspect/{entry.pk}/")
    assert response.status_code == 200
    assert b"rows" in response.content


@pytest.mark.parametrize("path", ["new/", "edit/{pk}/", "delete/{pk}/"])
def test_nobody_can_add_change_or_delete_an_entry(client, path):
    entry = audit_record(actor=None, action="export.created")
    client.force_login(StaffFactory(is_staff=True, is_superuser=True))
    response = client.get(INDEX + path.format(pk=entry.pk))
    assert response.status_code in (302, 403)
    post = client.post(INDEX + path.format(pk=entry.pk), {"action": "forged"})
    assert post.status_code in (302, 403)
    assert AuditLog.objects.get().action == "export.created"


def test_the_administrator_reads_role_changes_in_words_not_codes(client):
    """The listing and the entry's page say 加入角色, not role.added (issue 13)."""
    member = StaffFactory(username="new-officer")
    member.groups.add(Group.objects.get(name="Program officers"))
    entry = AuditLog.objects.get(action=ROLE_ADDED, object_id=str(member.pk))
    client.force_login(StaffFactory(groups=["Administrators"]))

    listing = client.get(INDEX).content.decode()
    detail = client.get(f"{INDEX}inspect/{entry.pk}/").content.decode()

    for html in (listing, detail):
        assert "加入角色" in html
        assert "role.added" not in html
