"""The discretion calculator (自由裁量计算): pure functions, Hangzhou's example from DOMAIN.md."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from powers.discretion import calculate, validate_bands
from tests.powers.factories import HANGZHOU_BANDS, hangzhou_standard


@pytest.mark.parametrize(
    ("area", "severity", "low", "high"),
    [
        ("0", "轻微", 50, 200),
        ("1.99", "轻微", 50, 200),
        ("2", "一般", 200, 500),  # the lower bound belongs to the band
        ("3", "一般", 200, 500),
        ("4.99", "一般", 200, 500),
        ("5", "较重", 500, 1000),
        ("9.5", "较重", 500, 1000),
        ("10", "严重", 1000, 2000),
        ("250", "严重", 1000, 2000),  # the last band is open-ended
    ],
)
def test_hangzhou_shop_front_by_area(area, severity, low, high):
    result = calculate(HANGZHOU_BANDS, area)
    assert result.band.severity == severity
    assert result.amount_range == (Decimal(low), Decimal(high))
    assert result.fact == Decimal(area)


def test_area_3_square_metres_gives_200_to_500():
    result = calculate(HANGZHOU_BANDS, 3)
    assert result.amount_range == (Decimal("200"), Decimal("500"))
    assert result.allows("300") and result.allows(200) and result.allows(500)
    assert not result.allows("501") and not result.allows("199.99")


@pytest.mark.parametrize("fact", ["", "abc", "1,5", None, "NaN", "Infinity", "--1"])
def test_invalid_fact_is_refused_with_a_reason(fact):
    with pytest.raises(ValidationError) as err:
        calculate(HANGZHOU_BANDS, fact)
    assert "fact" in err.value.message_dict


def test_fact_below_every_band_is_refused():
    with pytest.raises(ValidationError, match="不在任何裁量档次之内"):
        calculate(HANGZHOU_BANDS, "-1")


def test_fact_beyond_a_closed_last_band_is_refused():
    closed = [*HANGZHOU_BANDS[:3]]
    with pytest.raises(ValidationError):
        calculate(closed, "10")


@given(st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=2))
def test_every_non_negative_area_falls_in_exactly_one_band(area):
    result = calculate(HANGZHOU_BANDS, area)
    containing = [b for b in validate_bands(HANGZHOU_BANDS) if b.contains(area)]
    assert containing == [result.band]
    assert Decimal(50) <= result.band.amount_min <= result.band.amount_max <= Decimal(2000)


class TestBandValidation:
    def test_hangzhou_bands_are_valid(self):
        assert len(validate_bands(HANGZHOU_BANDS)) == 4

    def test_no_bands(self):
        with pytest.raises(ValidationError, match="至少需要一个档次"):
            validate_bands([])

    def test_gap_between_bands(self):
        with pytest.raises(ValidationError, match="不衔接"):
            validate_bands([HANGZHOU_BANDS[0], HANGZHOU_BANDS[2]])

    def test_overlap_between_bands(self):
        overlapping = [HANGZHOU_BANDS[0], {**HANGZHOU_BANDS[1], "fact_min": Decimal("1")}]
        with pytest.raises(ValidationError, match="不衔接"):
            validate_bands(overlapping)

    def test_amount_range_inverted(self):
        with pytest.raises(ValidationError, match="下限高于上限"):
            validate_bands([{**HANGZHOU_BANDS[0], "amount_min": Decimal("500")}])

    def test_fact_range_empty(self):
        with pytest.raises(ValidationError, match="情节下限应小于上限"):
            validate_bands([{**HANGZHOU_BANDS[0], "fact_max": Decimal("0")}])

    def test_only_the_last_band_may_be_open(self):
        with pytest.raises(ValidationError, match="最后一档"):
            validate_bands([HANGZHOU_BANDS[3], {**HANGZHOU_BANDS[0], "fact_min": Decimal("10")}])

    def test_negative_values(self):
        with pytest.raises(ValidationError, match="负数"):
            validate_bands([{**HANGZHOU_BANDS[0], "amount_min": Decimal("-1")}])

    def test_non_numeric_bound(self):
        with pytest.raises(ValidationError):
            validate_bands([{**HANGZHOU_BANDS[0], "amount_max": "两百"}])


@pytest.mark.django_db
def test_calculator_reads_model_bands():
    standard = hangzhou_standard()
    result = calculate(standard.bands.all(), "3")
    assert (result.band.severity, result.amount_range) == ("一般", (Decimal("200.00"), Decimal("500.00")))
