"""Staff sign-in to the Wagtail admin: rate limits, forged proxies, disabled accounts, TOTP."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.urls import reverse

from core.audit import USER_DEACTIVATED
from core.models import AuditLog

from .factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"login": username, "password": password}, **extra)


def test_admin_login_url_sends_staff_to_the_rate_limited_form(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "next=%2Fadmin%2Fpages%2F" in response["Location"]


def test_posting_a_password_to_the_admin_login_url_signs_nobody_in(client):
    staff = StaffFactory(is_staff=True, groups=["Administrators"])
    client.post("/admin/login/", {"username": staff.username, "password": STAFF_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_sixth_failed_admin_login_for_one_account_is_429(client):
    staff = StaffFactory(groups=["Administrators"])
    for _ in range(5):
        assert _sign_in(client, staff.username, "wrong-guess").status_code == 200
    assert _sign_in(client, staff.username, "wrong-guess").status_code == 429
    # Locked out: even the right password waits until the window has passed.
    assert _sign_in(client, staff.username, STAFF_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_forged_x_forwarded_for_does_not_reset_the_per_ip_limit(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        forged = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{number}"}
        assert _sign_in(client, f"nobody{number}", "guess", **forged).status_code == 200
    assert (
        _sign_in(client, "nobody99", "guess", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code
        == 429
    )


def test_behind_one_proxy_only_the_address_it_appended_counts(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for number in range(10):
        # The client forges the left entry; our proxy appends the address it really saw.
        header = {"HTTP_X_FORWARDED_FOR": f"10.0.0.{number}, 203.0.113.7"}
        assert _sign_in(client, f"nobody{number}", "guess", **header).status_code == 200
    header = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7"}
    assert _sign_in(client, "nobody99", "guess", **header).status_code == 429
    other = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.8"}
    assert _sign_in(client, "nobody98", "guess", **other).status_code == 200


def test_trusted_proxy_setting_name_is_the_one_allauth_reads():
    from allauth import app_settings

    from cms.settings import base

    assert (
        app_settings._app_settings.prefix + "TRUSTED_PROXY_COUNT" == "ALLAUTH_TRUSTED_PROXY_COUNT"
    )
    assert hasattr(base, "ALLAUTH_TRUSTED_PROXY_COUNT")


def test_disabling_a_user_ends_their_sessions(client):
    staff = StaffFactory(is_staff=True, groups=["Trainers"])
    assert _sign_in(client, staff.username, STAFF_PASSWORD).status_code == 302
    session_key = client.session.session_key
    assert UserSession.objects.filter(user=staff, session_key=session_key).exists()

    staff.is_active = False
    staff.save()

    assert not Session.objects.filter(session_key=session_key).exists()
    assert not UserSession.objects.filter(user=staff).exists()
    response = client.get("/admin/")
    assert response.status_code == 302
    entry = AuditLog.objects.get(action=USER_DEACTIVATED)
    assert entry.object_id == str(staff.pk)
    assert entry.details == {"sessions_ended": 1}


def test_disabling_a_user_leaves_other_users_signed_in(client):
    staff = StaffFactory(is_staff=True, groups=["Trainers"])
    colleague = StaffFactory(is_staff=True, groups=["Trainers"])
    assert _sign_in(client, colleague.username, STAFF_PASSWORD).status_code == 302

    staff.is_active = False
    staff.save()

    assert client.get("/admin/").status_code == 200


def test_saving_an_active_user_ends_no_session(client):
    staff = StaffFactory(is_staff=True, groups=["Trainers"])
    assert _sign_in(client, staff.username, STAFF_PASSWORD).status_code == 302
    staff.first_name = "Li"
    staff.save()
    assert client.get("/admin/").status_code == 200


def test_administrator_without_totp_is_sent_to_set_it_up(client, settings):
    settings.ADMIN_MFA_REQUIRED = True
    admin = StaffFactory(is_staff=True, groups=["Administrators"])
    client.force_login(admin)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=%2Fadmin%2Fpages%2F" in response["Location"]


def test_administrator_can_open_the_totp_setup_page(client, settings):
    settings.ADMIN_MFA_REQUIRED = True
    admin = StaffFactory(is_staff=True, groups=["Administrators"])
    assert _sign_in(client, admin.username, STAFF_PASSWORD).status_code == 302
    # allauth asks for the password once more before an authenticator is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": STAFF_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"otpauth://" in response.content or b"<svg" in response.content


def test_administrator_with_totp_reaches_the_admin(client, settings):
    settings.ADMIN_MFA_REQUIRED = True
    admin = StaffFactory(is_staff=True, groups=["Administrators"])
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(admin)
    assert client.get("/admin/pages/").status_code == 200


def test_trainer_is_not_forced_to_set_up_totp(client, settings):
    settings.ADMIN_MFA_REQUIRED = True
    trainer = StaffFactory(is_staff=True, groups=["Trainers"])
    client.force_login(trainer)
    assert client.get("/admin/").status_code == 200


def test_administrator_with_totp_must_give_a_code_at_sign_in(client, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.ADMIN_MFA_REQUIRED = True
    admin = StaffFactory(is_staff=True, groups=["Administrators"])
    TOTP.activate(admin, generate_totp_secret())
    response = _sign_in(client, admin.username, STAFF_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_signed_in_person_sees_their_sessions_and_can_end_the_others(client):
    staff = StaffFactory(groups=["Trainers"])
    assert _sign_in(client, staff.username, STAFF_PASSWORD).status_code == 302
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"]
    assert UserSession.objects.filter(user=staff).count() == 1
