"""Joining a campaign with a code: resolve the code, check the dates, enroll in its courses."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.codes import normalise_join_code
from core.models import JOIN_CODE_VALIDATOR, Campaign, Cohort

CODE_UNKNOWN = _("There is no campaign with this code. Check the code with your trainer.")
CODE_EXPIRED = _("This campaign ended on %(date)s; its code can no longer be used.")


@dataclass(frozen=True)
class JoinTarget:
    """What a join code opens: a campaign, and the cohort when the code was a cohort's."""

    campaign: Campaign
    cohort: Cohort | None


def join_target(*, code: str) -> JoinTarget | None:
    """The campaign (and cohort) a join code belongs to, or None."""
    code = normalise_join_code(code)
    if not JOIN_CODE_VALIDATOR.regex.fullmatch(code):
        return None  # cannot be a stored code; the database is not even asked (NUL, emoji, …)
    cohort = Cohort.objects.select_related("campaign", "village").filter(join_code=code).first()
    if cohort is not None:
        return JoinTarget(cohort.campaign, cohort)
    campaign = Campaign.objects.filter(join_code=code).first()
    return JoinTarget(campaign, None) if campaign is not None else None


def join_target_check(*, code: str) -> JoinTarget:
    """The target of a usable code; ValidationError when it is unknown or its campaign ended."""
    target = join_target(code=code)
    if target is None:
        raise ValidationError(CODE_UNKNOWN, code="unknown")
    if timezone.localdate() > target.campaign.ends_on:
        raise ValidationError(
            CODE_EXPIRED % {"date": target.campaign.ends_on.isoformat()}, code="expired"
        )
    return target


def campaign_enroll(
    *, learner, campaign: Campaign, cohort: Cohort | None = None, courses: list | None = None
) -> int:
    """Enroll a learner in every course of the campaign (idempotent); returns the course count."""
    from learners.services import enrollment_create

    if courses is None:
        courses = list(campaign.courses.specific())
    with transaction.atomic():
        for course in courses:
            enrollment_create(learner=learner, course=course, campaign=campaign, cohort=cohort)
    return len(courses)


def campaign_join(*, learner, code: str) -> JoinTarget:
    """Join the campaign (and cohort) behind a code: enroll in its courses. Idempotent."""
    target = join_target_check(code=code)
    campaign_enroll(learner=learner, campaign=target.campaign, cohort=target.cohort)
    return target
