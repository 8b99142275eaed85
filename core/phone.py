"""Mainland China mobile numbers, normalised to E.164."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_PHONE = _("Enter a mainland China mobile number, for example 138 1234 5678.")


def normalise_phone(raw: str) -> str:
    """Return `raw` as E.164 (+86…); raise ValidationError unless it is a mainland mobile number."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from exc
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None, *, show_unparsed: bool = False) -> str:
    """+8613812345678 → 138****5678, for screens and files that must not show the whole number.

    Empty when there is no number. `show_unparsed` leaves a value that is not a normalised number
    as it is: a roster preview shows the officer what they typed wrongly, to correct it.
    """
    if not phone:
        return ""
    if show_unparsed and not phone.startswith("+86"):
        return phone
    national = phone.removeprefix("+86")
    if len(national) != 11:
        return "****"
    return f"{national[:3]}****{national[-4:]}"
