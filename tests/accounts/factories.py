"""Factories for learner accounts."""

import itertools

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from learners.accounts.models import LearnerProfile

_numbers = itertools.count(13800000001)


def mobile_number() -> str:
    """A fresh, valid mainland mobile number in E.164."""
    return f"+86{next(_numbers)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password(None))


class LearnerProfileFactory(factory.django.DjangoModelFactory):
    """A learner who signed up by phone and agreed to the current privacy notice."""

    class Meta:
        model = LearnerProfile

    user = factory.SubFactory(UserFactory)
    display_name = "李秀英"
    phone = factory.LazyFunction(mobile_number)
    phone_verified = True
    consent_version = factory.LazyFunction(lambda: settings.CONSENT_VERSION)
    consented_at = factory.LazyFunction(timezone.now)


def learner(**kwargs):
    """A consented learner user with a verified phone."""
    return LearnerProfileFactory(**kwargs).user
