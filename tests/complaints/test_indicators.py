from datetime import date

from complaints import figures, indicators, services
from complaints.choices import Grade

from .conftest import at


def _closed(desk, day, *, late=False, satisfaction="satisfied", pressed=False):
    now = at(day.year, day.month, day.day, 10)
    complaint, secret = desk.submit(now=now)
    services.classify(complaint, desk.category, by=desk.inspector, now=now)
    complaint = services.forward(complaint, desk.department, by=desk.inspector, now=now)
    if pressed:
        services.press(complaint, by=desk.inspector, requirement="加快办理", now=now)
    handled = at(day.year, day.month, day.day + (20 if late else 1), 10)
    complaint = services.accept(complaint, by=desk.handler, now=now)
    complaint = services.reply(complaint, by=desk.handler, text="已处理", now=handled)
    complaint = services.propose_closure(complaint, by=desk.handler, now=handled)
    complaint = services.approve_closure(complaint, by=desk.inspector, now=handled)
    if satisfaction:
        services.rate(complaint, secret=secret, satisfaction=satisfaction, now=handled)
    return complaint, secret


def test_nine_indicators_for_a_department(desk, other_department):
    _closed(desk, date(2026, 3, 2))
    _closed(desk, date(2026, 3, 3), late=True, satisfaction="dissatisfied", pressed=True)
    complaint, secret = _closed(desk, date(2026, 3, 4), satisfaction="")
    services.reopen(complaint, secret=secret, reason="未解决", now=at(2026, 3, 6, 9))
    open_one, _ = desk.forwarded(now=at(2026, 3, 5, 9))
    returned, _ = desk.forwarded(now=at(2026, 3, 5, 9))
    services.return_complaint(returned, by=desk.handler, reason="不属本局", now=at(2026, 3, 5, 10))
    outside, _ = desk.forwarded(now=at(2026, 4, 2, 9))  # another month
    rows = indicators.department_indicators(date(2026, 3, 1), date(2026, 4, 1))
    row = rows[desk.department.pk]
    assert row["volume"] == 4  # three closed + one open; the returned one left the department
    assert row["completion_rate"] == 75.0
    assert row["on_time_completion_rate"] == round(100 * 2 / 3, 2)
    assert row["on_time_acceptance_rate"] == 100.0
    assert row["reopened_rate"] == round(100 / 3, 2)
    assert row["pressed_rate"] == 25.0
    assert row["returned_rate"] == 20.0
    assert row["satisfaction_rate"] == 50.0
    assert row["average_handling_days"] is not None and row["average_handling_days"] > 1
    assert set(indicators.FIELDS) <= set(row)
    assert row["grade"] == Grade.UNQUALIFIED


def test_grades_from_thresholds(settings):
    good = {
        "volume": 10,
        "completion_rate": 100.0,
        "on_time_completion_rate": 95.0,
        "satisfaction_rate": 92.0,
    }
    assert indicators.grade(good) == Grade.EXCELLENT
    assert indicators.grade({**good, "satisfaction_rate": 80.0}) == Grade.QUALIFIED
    assert indicators.grade({**good, "completion_rate": 50.0}) == Grade.UNQUALIFIED
    assert indicators.grade({**good, "satisfaction_rate": None}) == Grade.EXCELLENT  # nothing rated yet
    assert indicators.grade({"volume": 0}) is None
    settings.COMPLAINTS_GRADE_THRESHOLDS = {"excellent": {"completion_rate": 1.0}, "unqualified": {}}
    assert indicators.grade({**good, "completion_rate": 99.0}) == Grade.QUALIFIED


def test_indicators_take_aware_datetimes_like_the_other_apps(desk):
    _closed(desk, date(2026, 3, 2))
    rows = indicators.department_indicators(at(2026, 3, 1), at(2026, 4, 1))
    assert rows[desk.department.pk]["completion_rate"] == 100.0


def test_performance_reads_the_published_function(desk):
    from performance import sources

    _closed(desk, date(2026, 3, 2))
    assert "complaints.completion_rate" in sources.registry()
    loaded = sources.load(["complaints.satisfaction_rate"], at(2026, 1, 1), at(2027, 1, 1))
    assert loaded["complaints.satisfaction_rate"][desk.department.pk]["value"] == 100.0


def test_public_figures(desk):
    _closed(desk, date(2026, 3, 2))
    desk.submit(now=at(2026, 3, 2, 11))
    row = figures.public_figures(now=at(2026, 3, 3, 12))
    assert row["received_year"] == 2 and row["closed_year"] == 1 and row["satisfaction_rate"] == 100.0
    assert row["received_today"] == 0 and row["closed_today"] == 1
