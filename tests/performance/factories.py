"""Factories for the appraisal: a year with one series whose indicator system adds up."""

from datetime import date
from decimal import Decimal

import factory

from performance.choices import Direction, RaterKind, Rule, Source
from performance.models import AppraisalYear, Category, Indicator, Membership, Period, RaterWeight, Series
from tests.factories import DepartmentFactory


class AppraisalYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppraisalYear
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = 2025
    name = factory.LazyAttribute(lambda o: f"{o.year}年度绩效考评")

    @factory.post_generation
    def periods(self, create, extracted, **kwargs):
        Period.objects.get_or_create(
            year=self, quarter=0,
            defaults={"starts_on": date(self.year, 1, 1), "ends_on": date(self.year, 12, 31), "voting_open": True},
        )  # fmt: skip


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    year = factory.SubFactory(AppraisalYearFactory)
    code = factory.Sequence(lambda n: f"s{n}")
    name = factory.Sequence(lambda n: f"系列{n}")
    public_share = Decimal("0.40")


def build_system(series, *, entered=("kt",), computed=(), public_weights=None):
    """Two categories (60/40): key tasks (entered, linear 0→100) and efficiency (computed sources).

    With no computed source, the second category holds one entered indicator "eff".
    Rater weights: online 50 + residents 50 unless given.
    """
    cat1 = Category.objects.create(series=series, name="重点工作", weight=60, order=1)
    share = Decimal(100) / len(entered)
    for i, code in enumerate(entered):
        Indicator.objects.create(
            category=cat1, code=code, name=f"重点任务{code}", weight=share, rule=Rule.LINEAR,
            target=100, floor=0, source=Source.ENTERED, is_key_task=True, order=i,
        )  # fmt: skip
    cat2 = Category.objects.create(series=series, name="效能建设", weight=40, order=2)
    if computed:
        share = Decimal(100) / len(computed)
        for i, (key, direction, target, floor) in enumerate(computed):
            Indicator.objects.create(
                category=cat2, code=key.split(".")[-1].replace("_", "-"), name=key, weight=share,
                rule=Rule.LINEAR, direction=direction, target=target, floor=floor, source=Source.COMPUTED,
                source_key=key, order=i,
            )  # fmt: skip
    else:
        Indicator.objects.create(
            category=cat2, code="eff", name="效能", weight=100, rule=Rule.LINEAR, target=100, floor=0,
            direction=Direction.HIGHER, source=Source.ENTERED,
        )  # fmt: skip
    for kind, weight in (public_weights or {RaterKind.ONLINE: 50, RaterKind.RESIDENTS: 50}).items():
        RaterWeight.objects.create(series=series, kind=kind, weight=weight)
    return cat1, cat2


def members(series, n, prefix="U"):
    depts = [
        DepartmentFactory(code=f"{prefix}{i:02d}", name=f"{prefix}单位{i}", short_name=f"{prefix}{i}")
        for i in range(n)
    ]
    for d in depts:
        Membership.objects.create(series=series, department=d)
    return depts
