"""Factories for staff accounts used by the security tests."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

STAFF_PASSWORD = "a-long-staff-pass-2026"


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff account that signs in with a username and password."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    password = factory.LazyFunction(lambda: make_password(STAFF_PASSWORD))

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for name in extracted:
            self.groups.add(Group.objects.get(name=name))
