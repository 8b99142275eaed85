"""Short codes are random, digit-only, checkable and tolerant of how people type them."""

import math

from hypothesis import given
from hypothesis import strategies as st

from learners.certificates import codes


def test_code_has_at_least_40_bits_of_randomness_and_no_ambiguous_characters():
    code = codes.new_code()

    assert math.log2(10) * codes.RANDOM_DIGITS >= 40
    assert len(code) == codes.CODE_LENGTH
    assert set(code) <= set("0123456789")


def test_new_codes_pass_their_own_check():
    assert all(codes.is_valid(codes.new_code()) for _ in range(200))


def test_codes_do_not_repeat():
    assert len({codes.new_code() for _ in range(5000)}) == 5000


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(0, 15))
def test_any_single_wrong_digit_is_caught(body, position):
    code = body + codes.damm_digit(body)
    wrong = str((int(code[position]) + 1) % 10)

    assert not codes.is_valid(code[:position] + wrong + code[position + 1 :])


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(0, 14))
def test_swapped_neighbours_are_caught(body, position):
    code = body + codes.damm_digit(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]

    assert swapped == code or not codes.is_valid(swapped)


def test_spaces_dashes_and_full_width_digits_are_normalised():
    assert codes.normalise("４８２１ 0937-5512 3996") == "4821093755123996"
