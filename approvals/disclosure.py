"""What a decision's public record may say about its party: pure rules, no database.

The public record (双公示) names a company by its name and unified social credit code; a private person
only by a masked name (王**, ``portal.masking.mask_name``) — never the ID number, phone or address. The record is built from these
functions when the decision is taken, so the unmasked data is never copied into it.
"""

import re
from decimal import Decimal

from portal.masking import mask_name

# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z), the last one a check character.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code(raw: str) -> str:
    """``raw`` when it is a unified social credit code with a valid check character, else "".

    An ID card number typed where the code belongs fails the check (it is never disclosed as a code).
    """
    value = (raw or "").strip().upper()
    if not CREDIT_CODE.match(value):
        return ""
    return value if credit_check_character(value[:17]) == value[17] else ""


def party(*, name: str, is_person: bool, id_number: str) -> tuple[str, str]:
    """``(public name, public credit code)`` of a decision's party."""
    if is_person:
        return mask_name(name), ""
    return (name or "").strip()[:100], credit_code(id_number)


def result_text(decision_label: str, *, amount: Decimal | None = None, unit: str = "", band: str = "") -> str:
    """The result as the public reads it: 准予 / 不予 / 罚款 2000 元（一般）."""
    if amount is None:
        return str(decision_label)
    text = f"罚款 {amount.normalize():f} {unit}".rstrip()
    return f"{text}（{band}）" if band else text
