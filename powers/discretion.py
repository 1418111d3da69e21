"""The discretion calculator (自由裁量计算): pure functions, no database.

A standard's bands split the range of one fact (area, amount, count…) into
graded steps (分阶); each step maps to an amount range. The officer enters the
fact and gets the band; a decided amount outside that band needs stated
reasons (说明理由) and a collective-discussion record (集体讨论).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Band:
    order: int
    severity: str
    fact_min: Decimal
    fact_max: Decimal | None
    amount_min: Decimal
    amount_max: Decimal
    description: str = ""

    def contains(self, fact: Decimal) -> bool:
        return fact >= self.fact_min and (self.fact_max is None or fact < self.fact_max)


# Any number the calculator handles has at most this many digits before and after the point; past
# them (``1E+999999999``, ``1E-999999999``) arithmetic on the value could overflow the decimal context.
MAX_EXPONENT = 18


def to_decimal(value, field: str = "fact") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError, ValueError):
        raise ValidationError({field: "请输入数字。"}) from None
    if not number.is_finite():
        raise ValidationError({field: "请输入有限的数字。"})
    if number and not -MAX_EXPONENT <= number.adjusted() < MAX_EXPONENT:
        raise ValidationError({field: "数值超出允许范围。"})
    return number


def as_bands(rows) -> list[Band]:
    """Bands from model instances or dicts, in order."""
    out = []
    for i, row in enumerate(rows, start=1):
        get = row.get if isinstance(row, dict) else lambda k, r=row: getattr(r, k, None)
        out.append(
            Band(
                order=get("order") or i,
                severity=get("severity") or "",
                fact_min=to_decimal(get("fact_min"), "fact_min"),
                fact_max=None if get("fact_max") in (None, "") else to_decimal(get("fact_max"), "fact_max"),
                amount_min=to_decimal(get("amount_min"), "amount_min"),
                amount_max=to_decimal(get("amount_max"), "amount_max"),
                description=get("description") or "",
            )
        )
    return sorted(out, key=lambda b: b.order)


def validate_bands(rows) -> list[Band]:
    """Bands must be contiguous, non-overlapping, and each amount range ordered; only the last may be open."""
    bands = as_bands(rows)
    if not bands:
        raise ValidationError("裁量基准至少需要一个档次。")
    for i, band in enumerate(bands):
        if band.amount_min < 0 or band.fact_min < 0:
            raise ValidationError(f"第{i + 1}档的数值不能为负数。")
        if band.amount_min > band.amount_max:
            raise ValidationError(f"第{i + 1}档的处罚下限高于上限。")
        if band.fact_max is not None and band.fact_min >= band.fact_max:
            raise ValidationError(f"第{i + 1}档的情节下限应小于上限。")
        if band.fact_max is None and i != len(bands) - 1:
            raise ValidationError("只有最后一档可以不设情节上限。")
        if i and bands[i - 1].fact_max != band.fact_min:
            raise ValidationError(f"第{i}档与第{i + 1}档的情节范围不衔接（应首尾相接、不重叠）。")
    return bands


@dataclass(frozen=True)
class Calculation:
    fact: Decimal
    band: Band

    @property
    def amount_range(self) -> tuple[Decimal, Decimal]:
        return self.band.amount_min, self.band.amount_max

    def allows(self, amount) -> bool:
        amount = to_decimal(amount, "amount")
        return self.band.amount_min <= amount <= self.band.amount_max


# Bands store at most 12 integer digits (DiscretionBand.fact_min/max: max_digits=14, decimal_places=2).
MAX_FACT = Decimal(10) ** 12


def calculate(rows, fact) -> Calculation:
    """The band a fact falls in. Refuses a fact below the first band or outside every band."""
    bands = as_bands(rows)
    value = to_decimal(fact)
    if abs(value) >= MAX_FACT:
        raise ValidationError({"fact": "录入的情节数值过大。"})
    for band in bands:
        if band.contains(value):
            return Calculation(value, band)
    raise ValidationError({"fact": f"录入的情节 {value} 不在任何裁量档次之内。"})
