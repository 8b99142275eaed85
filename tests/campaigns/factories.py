"""Factories for the campaigns room: a region tree, offices, campaigns and cohorts."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaigns.models import Campaign, Cohort, ProgramOffice, Region
from campaigns.services.regions import region_level_from_code


def add_region(code: str, name: str, parent: Region | None = None) -> Region:
    """A region under `parent` (or a new root), with its level taken from the code."""
    level = region_level_from_code(code)
    if parent is None:
        return Region.add_root(code=code, name=name, level=level)
    return parent.add_child(code=code, name=name, level=level)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456")
    is_active = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class ProgramOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramOffice

    name = factory.Sequence(lambda n: f"Office {n}")
    signatory_name = "Signatory"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    office = factory.SubFactory(ProgramOfficeFactory)
    title = factory.Sequence(lambda n: f"Campaign {n}")
    region = factory.LazyAttribute(lambda o: o.office.region)
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2030, 12, 31)
    target_learners = 100


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
