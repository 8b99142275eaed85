"""Mainland mobile numbers are accepted however they are typed, and stored as E.164."""

import pytest
from django.core.exceptions import ValidationError

from core.phone import mask_phone, normalise_phone


@pytest.mark.parametrize(
    "typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "8613800138000"]
)
def test_common_ways_of_typing_a_mobile_number_are_normalised(typed):
    assert normalise_phone(typed) == "+8613800138000"


@pytest.mark.parametrize(
    "typed", ["", "010 6552 9988", "+852 9123 4567", "+1 202 555 0143", "1380013800", "abc"]
)
def test_landlines_foreign_and_malformed_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalise_phone(typed)


def test_mask_shows_only_the_first_three_and_last_four_digits():
    assert mask_phone("+8613800138000") == "138****8000"
