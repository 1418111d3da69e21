"""The one numbering service (portal.numbering): counters per series, gap-free where asked."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connections, transaction

from portal import numbering, roles
from portal.models import NumberSeries
from powers import services as power_services
from powers.choices import Category
from tests.factories import DepartmentFactory, UserFactory


def test_format_code():
    assert numbering.format_code("SP", date(2025, 3, 1), 42, 6) == "SP20250301000042"
    assert numbering.format_code("督〔2026〕", None, 7, 4) == "督〔2026〕0007"
    assert numbering.format_code("XK-SCJG-", None, 12345, 4) == "XK-SCJG-12345"  # widens, never cuts


@pytest.mark.django_db
def test_series_count_separately_and_start_after_initial():
    with transaction.atomic():
        assert [numbering.next_number("a", gap_free=True) for _ in range(3)] == [1, 2, 3]
        assert numbering.next_number("b", gap_free=True, initial=lambda: 41) == 42
        assert (
            numbering.next_number("b", gap_free=True, initial=lambda: 1000) == 43
        )  # initial: first use only
    assert numbering.next_numbers("c", 3) == [1, 2, 3]
    assert numbering.next_numbers("c", 2) == [4, 5]
    assert numbering.next_numbers("c", 0) == []


@pytest.mark.django_db
def test_gap_free_numbers_roll_back_with_the_caller():
    with transaction.atomic():
        assert numbering.next_number("notice:2026", gap_free=True) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.next_number("notice:2026", gap_free=True) == 2
        raise RuntimeError("the verb fails after numbering")
    with transaction.atomic():
        assert numbering.next_number("notice:2026", gap_free=True) == 2


@pytest.mark.django_db(transaction=True)
def test_gap_free_needs_the_callers_transaction():
    with pytest.raises(RuntimeError):
        numbering.next_number("x", gap_free=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_declarations_get_fifty_codes():
    """Two departments, 25 declarations each, 8 at a time: no duplicate code, no error, no gap."""
    departments = [DepartmentFactory(code="SCJG"), DepartmentFactory(code="ZJJ")]
    users = [
        UserFactory(username=f"h-{d.code}", roles=[roles.DEPT_HANDLER], department=d) for d in departments
    ]

    def declare(i):
        try:
            user, department = users[i % 2], departments[i % 2]
            return power_services.declare_power(
                by=user, department=department, name=f"许可事项{i}", category=Category.LICENSING
            ).code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(declare, range(50)))
    assert len(set(codes)) == 50
    for department in departments:
        assert sorted(c for c in codes if f"-{department.code}-" in c) == [
            f"XK-{department.code}-{n:04d}" for n in range(1, 26)
        ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_case_numbers_use_a_sequence_without_duplicates():
    """Not gap-free on PostgreSQL: a sequence per series, started after the counter row."""
    NumberSeries.objects.create(series="case:SP20250301", last=100)

    def take(i):
        try:
            with transaction.atomic():
                return numbering.next_number("case:SP20250301")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(50)))
    assert sorted(numbers) == list(range(101, 151))
    assert NumberSeries.objects.get(series="case:SP20250301").last == 100  # the sequence counts, not the row
