"""URLs under /me/ owned by the accounts room (included under i18n_patterns)."""

from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("consent/", views.consent, name="accounts_consent"),
    path("data.json", views.data_download, name="accounts_data"),
    path("delete/", views.delete_account, name="accounts_delete"),
]
