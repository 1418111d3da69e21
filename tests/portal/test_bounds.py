"""Hole 11 of the security test: numbers past 64 bits, 1E+999999999 and forged formsets are bad input.

Each test here answered 500 before portal.bounds (a form error or 400 now).
"""

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from portal import bounds
from powers.choices import Category, PowerStatus
from powers.models import FlowStep, Power
from tests.powers.factories import (
    HANGZHOU_BANDS,
    DiscretionBandFactory,
    DiscretionStandardFactory,
    FlowchartFactory,
    PowerFactory,
)

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "value, ok",
    [("1", True), (str(2**63 - 1), True), (str(-(2**63)), True), (str(2**63), False), (HUGE, False),
     ("1E+999999999", False), ("NaN", False), ("1.5", False), ("abc", False), ("", False), ("1e3", True)],
)  # fmt: skip
def test_in_int64(value, ok):
    assert bounds.in_int64(value) is ok


def test_form_number_fields_are_bounded_by_default():
    class Form(forms.Form):
        n = forms.IntegerField()
        d = forms.DecimalField()
        f = forms.FloatField()
        own = forms.IntegerField(max_value=10)

    for value in (HUGE, "1E+999999999", "-" + HUGE):
        form = Form({"n": value, "d": value, "f": value, "own": "11"})
        assert not form.is_valid()
        assert set(form.errors) == {"n", "d", "f", "own"}
    assert Form({"n": "5", "d": "5.5", "f": "1.5", "own": "10"}).is_valid()


def test_serializer_numbers_are_bounded_by_default():
    class Serializer(serializers.Serializer):
        n = serializers.IntegerField()
        d = serializers.DecimalField(max_digits=30, decimal_places=2)

    serializer = Serializer(data={"n": HUGE, "d": "1E+25"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"n", "d"}


@pytest.mark.django_db
def test_notices_filter_past_64_bits_is_a_form_error_on_the_page_and_400_in_the_api(client, inspector):
    client.force_login(inspector)
    page = client.get(reverse("monitoring:notices"), {"alert": HUGE})
    assert page.status_code == 200
    assert page.context["filter"].form.errors["alert"]
    api = client.get("/api/v1/supervision-notices/", {"alert": HUGE})
    assert api.status_code == 400 and "alert" in api.json()


@pytest.mark.django_db
def test_declare_form_with_an_article_id_past_64_bits_is_a_form_error(client, handler):
    client.force_login(handler)
    data = {"name": "某许可", "category": Category.LICENSING, "subject": "公民", "time_limit_days": "20",
            "promised_days": "10", "time_limit_unit": "working_days", "legal_articles": [HUGE]}  # fmt: skip
    response = client.post(reverse("powers:declare"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["legal_articles"]
    assert not Power.objects.filter(name="某许可").exists()


@pytest.mark.django_db
def test_merge_form_with_a_power_id_past_64_bits_is_a_form_error(client, handler, department):
    power = PowerFactory(department=department)
    client.force_login(handler)
    response = client.post(
        reverse("powers:merge"), {"powers": [str(power.pk), HUGE], "name": "合并", "reason": "精简"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["powers"]
    assert Power.objects.count() == 1


@pytest.mark.django_db
def test_flowchart_posted_without_its_management_form_is_a_form_error(client, handler, department):
    chart = FlowchartFactory(power=PowerFactory(department=department, status=PowerStatus.DRAFT), steps=2)
    client.force_login(handler)
    response = client.post(reverse("powers:edit_flowchart", args=[chart.power.pk]), {"note": "伪造"})
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert FlowStep.objects.filter(flowchart=chart).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fact", ["1E+999999999", "-1E+999999999", "1E-999999999", "NaN", "Infinity", HUGE])
def test_anonymous_calculation_with_an_absurd_fact_is_400(client, fact):
    standard = DiscretionStandardFactory()
    for i, band in enumerate(HANGZHOU_BANDS, start=1):
        DiscretionBandFactory(standard=standard, order=i, **band)
    response = client.post(
        f"/api/v1/discretion-standards/{standard.pk}/calculate/",
        {"fact": fact},
        content_type="application/json",
    )
    assert response.status_code == 400 and "fact" in response.json()
    page = client.get(
        reverse("powers:detail", args=[standard.power.code]), {"standard": standard.pk, "fact": fact}
    )
    assert page.status_code == 200
