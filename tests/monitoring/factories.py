"""Alerts written directly (fast set-up); the sweep and raise_alert have their own tests."""

import factory
from django.contrib.contenttypes.models import ContentType

from monitoring.choices import AlertKind, AlertLevel
from monitoring.models import Alert
from tests.factories import DepartmentFactory


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    class Params:
        target = factory.SubFactory(DepartmentFactory)

    kind = AlertKind.ANOMALY
    level = AlertLevel.YELLOW
    target_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    target_id = factory.LazyAttribute(lambda o: str(o.target.pk))
    target_label = factory.LazyAttribute(lambda o: str(o.target))
    rule = "test_rule"
    occurrence = factory.Sequence(str)
    title = factory.Sequence(lambda n: f"测试预警{n}")
