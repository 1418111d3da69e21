"""Factories of the risks app: rows written directly; workflow tests call the verbs."""

from decimal import Decimal

import factory

from risks.choices import DiscoverySource, Grade, Holder, RiskPointStatus, RiskType
from risks.models import RiskPoint
from tests.factories import PostFactory
from tests.powers.factories import PowerFactory


class RiskPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskPoint

    power = factory.SubFactory(PowerFactory)
    department = factory.LazyAttribute(lambda o: o.power.department)
    post = factory.LazyAttribute(lambda o: PostFactory(department=o.department))
    code = factory.Sequence(lambda n: f"FX-T-{n:04d}")
    title = factory.Sequence(lambda n: f"受理环节收受好处{n}")
    risk_type = RiskType.OPERATIONAL
    source = DiscoverySource.SELF
    holder = Holder.STAFF
    description = "对符合条件的申请故意拖延、刁难"
    measures = "一次性告知；限时办结；电子监察"
    responsible_name = "张三"
    likelihood = 3
    harm = 3
    frequency = 3
    discretion = 3
    grade = Grade.B
    score = Decimal("3.00")
    status = RiskPointStatus.CONFIRMED
