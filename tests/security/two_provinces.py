"""Two provinces, each with its own office, officer, trainer, campaign, cohort, learners and a
certificate, created through the app's own services (issue 16: the attacker's setup).

Every identifier of a province is distinctive, so a test can assert that none of province A's
appears in anything province B's staff are shown, and the other way round.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from core.roles import PROGRAM_OFFICERS, TRAINERS
from learners.certificates import services as certificate_services
from learners.services import enrollment_create
from tests.accounts.factories import LearnerProfileFactory
from tests.campaigns.factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    add_region,
)
from tests.certificates.factories import finish_course
from tests.learners.factories import make_course


@dataclass
class Province:
    key: str
    province: object = None
    county: object = None
    village: object = None
    office: object = None
    officer: object = None
    trainer: object = None
    campaign: object = None
    cohort: object = None
    learner: object = None
    phone: str = ""
    certificate: object = None
    words: list[str] = field(default_factory=list)  # identifiers that must not leak


SPEC = {
    "A": {
        "codes": ("610000000000", "610924000000", "610924100201"),
        "names": ("陕西省", "石泉县", "池河村"),
        "office": "石泉县甲局",
        "campaign": "甲地春耕数字课",
        "cohort": "甲地池河一班",
        "learner": "甲地李秀英",
        "phone": "+8613800138000",
        "officer": "officer_a",
        "trainer": "trainer_a",
    },
    "B": {
        "codes": ("620000000000", "621102000000", "621102100201"),
        "names": ("甘肃省", "安定区", "凤翔村"),
        "office": "安定区乙局",
        "campaign": "乙地秋收数字课",
        "cohort": "乙地凤翔一班",
        "learner": "乙地赵敏敏",
        "phone": "+8613900139000",
        "officer": "officer_b",
        "trainer": "trainer_b",
    },
}


def _province(key: str, course, capture_on_commit) -> Province:
    spec = SPEC[key]
    p = Province(key=key)
    province_code, county_code, village_code = spec["codes"]
    province_name, county_name, village_name = spec["names"]
    p.province = add_region(province_code, province_name)
    p.county = add_region(county_code, county_name, p.province)
    p.village = add_region(village_code, village_name, p.county)
    p.office = ProgramOfficeFactory(region=p.province, name=spec["office"])
    p.officer = UserFactory(username=spec["officer"], role=PROGRAM_OFFICERS, is_staff=True)
    p.office.members.add(p.officer)
    p.trainer = UserFactory(username=spec["trainer"], role=TRAINERS, is_staff=True)
    p.campaign = CampaignFactory(office=p.office, region=p.county, title=spec["campaign"])
    p.campaign.courses.set([course])
    p.cohort = CohortFactory(
        campaign=p.campaign, village=p.village, name=spec["cohort"], trainer=p.trainer
    )
    p.phone = spec["phone"]
    p.learner = LearnerProfileFactory(
        display_name=spec["learner"], phone=p.phone, village_code=village_code
    ).user
    enrollment = enrollment_create(
        learner=p.learner, course=course, campaign=p.campaign, cohort=p.cohort
    )
    finish_course(p.learner, course)
    with capture_on_commit(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
    p.certificate = enrollment.certificates.get()
    p.words = [
        spec["office"],
        spec["campaign"],
        spec["cohort"],
        spec["learner"],
        p.phone[3:],
        p.phone[3:6] + "****" + p.phone[-4:],
        p.certificate.code,
        spec["officer"],
        spec["trainer"],
    ]
    return p


def build(capture_on_commit) -> dict[str, Province]:
    course = make_course(lessons=1, questions=1, title="两地通用课程")
    assert Group.objects.filter(name=PROGRAM_OFFICERS).exists()
    return {key: _province(key, course, capture_on_commit) for key in ("A", "B")}
