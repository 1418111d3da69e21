"""Monitoring tests time a Department (any saved model will do: monitoring stores generic references)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import timers
from tests.factories import DepartmentFactory


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def target(department):
    """The timed object: a department stands in for a case."""
    return DepartmentFactory(code="CASE1", name="测试办件一")


@pytest.fixture
def start_timer(department, now):
    """start_timer(target, purpose="case", warn_in=hours, due_in=hours) with ``department`` responsible."""

    def start(target, purpose="case", *, warn_in=24, due_in=48, **kwargs):
        kwargs.setdefault("department", department)
        warn_at = now + timedelta(hours=warn_in) if warn_in is not None else None
        return timers.start(
            target, purpose=purpose, due_at=now + timedelta(hours=due_in), warn_at=warn_at, **kwargs
        )

    return start
