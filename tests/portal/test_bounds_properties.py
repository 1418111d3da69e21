"""Property tests (hypothesis): the discretion calculator and every numeric filter take any input.

Any text is either computed or refused with a ValidationError / form error; nothing else escapes.
"""

import importlib
from decimal import Decimal

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import bounds
from powers import discretion
from tests.powers.factories import HANGZHOU_BANDS

APPS = ["portal", "powers", "risks", "approvals", "complaints", "monitoring", "performance"]

numbers_as_text = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**62, max_value=2**200).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.sampled_from(
        ["1E+999999999", "-1E+999999999", "1E-999999999", "NaN", "-Infinity", "sNaN", "0E+999999999"]
    ),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(numbers_as_text)
def test_calculator_computes_or_refuses(fact):
    try:
        result = discretion.calculate(HANGZHOU_BANDS, fact)
    except ValidationError:
        return
    assert result.band.contains(result.fact)
    assert result.band.amount_min <= result.band.amount_max


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_calculator_finds_a_band_for_every_fact_in_range(fact):
    result = discretion.calculate(HANGZHOU_BANDS, fact)
    assert result.band.contains(fact)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_in_int64_is_the_signed_64_bit_range(n):
    assert bounds.in_int64(str(n)) is (-(2**63) <= n < 2**63)


def numeric_filters():
    """(filterset class, filter name) of every number or model-choice filter of every app."""
    for app in APPS:
        for module in (f"{app}.filtersets", f"{app}.supervision_filtersets"):
            try:
                importlib.import_module(module)
            except ModuleNotFoundError:
                continue
    seen, out, stack = set(), [], list(django_filters.FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls in seen or cls.__module__.split(".")[0] not in APPS:
            continue
        seen.add(cls)
        for name, flt in cls.base_filters.items():
            if issubclass(
                flt.field_class, forms.IntegerField | forms.ModelChoiceField | forms.ModelMultipleChoiceField
            ):
                out.append((cls, name))
    return sorted(out, key=lambda pair: (pair[0].__module__, pair[0].__name__, pair[1]))


NUMERIC_FILTERS = numeric_filters()


def test_the_numeric_filters_are_found():
    assert any(name == "alert" for _cls, name in NUMERIC_FILTERS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filterset, name", NUMERIC_FILTERS, ids=[f"{c.__name__}.{n}" for c, n in NUMERIC_FILTERS]
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=numbers_as_text)
def test_numeric_filter_filters_or_refuses(filterset, name, value):
    fs = filterset(data={name: value}, queryset=filterset._meta.model.objects.all())
    if fs.is_valid():
        list(fs.qs[:1])
    else:
        assert name in fs.errors
