"""The working-day calendar: package years, the override table, unknown (provisional) years."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import workdays
from portal.models import AuditEvent, CalendarYear, WorkdayOverride

EXAMPLE_2027 = "portal/calendars/2027.example.json"


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The calendar caches the override table per process; a rolled-back test must not leak into the next.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


# Known years (2004–2026) never read the override table's content for their answer unless rows exist;
# hypothesis runs without the database fixture on the package's years only.
package_days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 9, 30))
limits = st.integers(min_value=0, max_value=60)


@pytest.fixture
def package_only(monkeypatch):
    """Property tests run many examples: serve an empty override table without the database."""
    monkeypatch.setattr(workdays, "_load", lambda: workdays._Snapshot(frozenset(), {}, 0.0, 1e12))
    workdays.clear_cache()


# --- properties of the arithmetic --------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=package_days, n=st.integers(min_value=1, max_value=60))
def test_the_nth_working_day_is_a_working_day_after_start(package_only, start, n):
    due = workdays.add_working_days(start, n)
    assert due > start
    assert workdays.is_working_day(due)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=package_days, n=limits)
def test_counting_back_gives_the_limit(package_only, start, n):
    assert workdays.working_days_between(start, workdays.add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=package_days, n=limits, extra=st.integers(min_value=1, max_value=20))
def test_more_days_never_give_an_earlier_date(package_only, start, n, extra):
    assert workdays.add_working_days(start, n + extra) > workdays.add_working_days(start, n)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=package_days, span=st.integers(min_value=0, max_value=120))
def test_between_counts_each_working_day_once(package_only, start, span):
    end = start + timedelta(days=span)
    brute = sum(workdays.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert workdays.working_days_between(start, end) == brute
    assert workdays.working_days_between(end, start) == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=package_days)
def test_package_years_agree_with_chinese_calendar(package_only, day):
    import chinese_calendar

    assert workdays.is_working_day(day) == chinese_calendar.is_workday(day)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=date(2027, 1, 1), max_value=date(2040, 12, 31)), n=limits)
def test_unknown_years_follow_weekends_and_are_provisional(package_only, start, n):
    result = workdays.deadline(start, n)
    if n == 0:
        assert result == workdays.Deadline(start, False, ())
        return
    assert result.due_on.weekday() < 5
    assert result.provisional
    assert result.missing_years == tuple(range((start + timedelta(days=1)).year, result.due_on.year + 1))


def test_zero_days_is_the_start_day_and_negative_is_refused(package_only):
    assert workdays.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2026, 10, 3), -1)


# --- known dates -----------------------------------------------------------------------


@pytest.mark.django_db
def test_2026_mid_autumn_and_national_day():
    # chinese-calendar 1.11: Mid-Autumn 09-25..27 off, National Day 10-01..07 off,
    # Sunday 09-20 and Saturday 10-10 are swapped working days.
    for day in [date(2026, 9, 25), date(2026, 9, 27)] + [date(2026, 10, d) for d in range(1, 8)]:
        assert not workdays.is_working_day(day), day
    assert workdays.is_working_day(date(2026, 9, 20))  # Sunday
    assert workdays.is_working_day(date(2026, 10, 10))  # Saturday
    assert not workdays.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    # Accepted Thursday 24 September with 3 working days: 25–27 off, due Wednesday 30 September.
    assert workdays.deadline(date(2026, 9, 24), 3) == workdays.Deadline(date(2026, 9, 30), False, ())
    # Accepted 30 September with 1 day: the holiday week passes, 8 October is the next working day.
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8, 9, 10 (swapped Saturday), 12 October.
    assert workdays.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert workdays.working_days_between(date(2026, 9, 18), date(2026, 10, 12)) == 12


@pytest.mark.django_db
def test_2025_spring_festival_and_national_day():
    assert not workdays.is_working_day(date(2025, 1, 28))  # Spring Festival eve
    assert workdays.is_working_day(date(2025, 1, 26))  # swapped Sunday
    assert workdays.is_working_day(date(2025, 2, 8))  # swapped Saturday
    # Accepted 27 January 2025 (Monday) with 5 working days: 28 Jan – 4 Feb off, then 5, 6, 7, 8(Sat), 10.
    assert workdays.add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)
    assert workdays.is_working_day(date(2025, 10, 11))  # swapped Saturday after National Day
    assert workdays.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_end_of_working_day_is_aware_and_local(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    end = workdays.end_of_working_day(date(2026, 10, 12))
    assert end == datetime(2026, 10, 12, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert end.utcoffset() == timedelta(hours=8)


# --- unknown years and the override table -------------------------------------------------


@pytest.mark.django_db
def test_a_deadline_reaching_into_2027_is_provisional():
    assert workdays.is_year_known(2026)
    assert not workdays.is_year_known(2027)
    result = workdays.deadline(date(2026, 12, 24), 10)
    # 25, 28–31 Dec (5), then weekdays of 2027 on weekend rules: 1, 4, 5, 6, 7 Jan.
    assert result == workdays.Deadline(date(2027, 1, 7), True, (2027,))
    assert workdays.source_of(2027) == workdays.SOURCE_WEEKEND
    # A deadline wholly inside 2026 is not provisional.
    assert not workdays.deadline(date(2026, 12, 1), 5).provisional
    assert workdays.missing_years_between(date(2026, 12, 31), date(2028, 1, 3)) == (2027, 2028)
    assert workdays.missing_years_between(date(2027, 1, 5), date(2027, 1, 5)) == ()


@pytest.mark.django_db
def test_an_entered_year_makes_the_deadline_definite():
    year = CalendarYear.objects.create(year=2027, source="测试")
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    WorkdayOverride.objects.create(date=date(2027, 1, 9), is_working_day=True, name="调休上班")  # Saturday
    result = workdays.deadline(date(2026, 12, 24), 10)
    # 25, 28–31 Dec (5), 1 Jan off, then 4, 5, 6, 7, 8 Jan.
    assert result == workdays.Deadline(date(2027, 1, 8), False, ())
    assert workdays.is_working_day(date(2027, 1, 9))
    assert workdays.calendar_warnings(date(2026, 11, 23)) == []
    year.delete()  # the cache follows deletions at once in this process
    assert workdays.deadline(date(2026, 12, 24), 10).provisional


@pytest.mark.django_db
def test_an_override_row_corrects_a_package_year():
    WorkdayOverride.objects.create(date=date(2026, 11, 23), is_working_day=False, name="地方特殊安排")
    assert not workdays.is_working_day(date(2026, 11, 23))
    assert workdays.is_year_known(2026)


@pytest.mark.django_db
def test_warnings_name_the_unknown_upcoming_year():
    messages = workdays.calendar_warnings(date(2026, 11, 23))
    assert len(messages) == 1
    assert "2027年法定节假日安排尚未录入" in messages[0] and "暂定" in messages[0]
    assert len(workdays.calendar_warnings(date(2027, 3, 1))) == 2


@pytest.mark.django_db
def test_the_override_table_is_read_once_not_per_call():
    workdays.add_working_days(date(2026, 1, 5), 60)
    with CaptureQueriesContext(connection) as queries:
        for i in range(2000):
            workdays.add_working_days(date(2026, 1, 1) + timedelta(days=i % 300), 60)
            workdays.deadline(date(2026, 12, 1), 20)
    assert len(queries) == 0


# --- load_calendar ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_calendar_enters_the_year_and_is_idempotent():
    call_command("load_calendar", EXAMPLE_2027)
    assert CalendarYear.objects.get(year=2027).source.startswith("示例")
    count = WorkdayOverride.objects.filter(date__year=2027).count()
    assert workdays.is_year_known(2027)
    assert not workdays.is_working_day(date(2027, 10, 4))  # National Day in the example
    assert workdays.is_working_day(date(2027, 10, 9))  # swapped Saturday in the example
    assert not workdays.deadline(date(2026, 12, 24), 10).provisional
    call_command("load_calendar", EXAMPLE_2027)
    assert WorkdayOverride.objects.filter(date__year=2027).count() == count
    assert CalendarYear.objects.filter(year=2027).count() == 1
    assert AuditEvent.objects.filter(verb="calendar.year_loaded").count() == 2


@pytest.mark.django_db
def test_reloading_replaces_the_year(tmp_path):
    call_command("load_calendar", EXAMPLE_2027)
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "holidays": [{"name": "元旦", "date": "2027-01-01"}]}))
    call_command("load_calendar", str(path))
    assert list(WorkdayOverride.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1)
    ]
    assert workdays.is_working_day(date(2027, 10, 4))  # the example's holiday is gone


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "JSON"),
        (json.dumps({"holidays": []}), "year"),
        (json.dumps({"year": 2027, "holidays": [{"date": "2028-01-01"}]}), "不属于"),
        (json.dumps({"year": 2027, "holidays": [{"date": "2027-13-01"}]}), "YYYY-MM-DD"),
        (json.dumps({"year": 2027, "holidays": [{"from": "2027-01-03", "to": "2027-01-01"}]}), "早于"),
        (
            json.dumps(
                {"year": 2027, "holidays": [{"date": "2027-01-02"}], "workdays": [{"date": "2027-01-02"}]}
            ),
            "同时",
        ),
    ],
)
def test_load_calendar_refuses_bad_files_and_stores_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_calendar", str(path))
    assert not CalendarYear.objects.exists()
    assert not WorkdayOverride.objects.exists()


# --- admin -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_index_and_calendar_pages_announce_the_missing_year(client, admin_user, settings):
    client.force_login(admin_user)
    for url in ["/admin/", "/admin/portal/calendaryear/", "/admin/portal/workdayoverride/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "法定节假日安排尚未录入" in response.content.decode(), url


def _coming_weekday(days_ahead=20):
    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=days_ahead)
    while not workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.django_db
def test_saving_an_override_in_admin_goes_through_the_verb_and_takes_effect(client, admin_user):
    client.force_login(admin_user)
    day = _coming_weekday()
    response = client.post(
        "/admin/portal/workdayoverride/add/",
        {"date": day.isoformat(), "is_working_day": "", "name": "临时休息"},
    )
    assert response.status_code == 302
    assert not workdays.is_working_day(day)
    event = AuditEvent.objects.get(verb="calendar.override.added")
    assert event.actor == admin_user
    assert event.after == {"date": day.isoformat(), "is_working_day": False, "name": "临时休息"}
    row = WorkdayOverride.objects.get(date=day)
    response = client.post(
        f"/admin/portal/workdayoverride/{row.pk}/change/",
        {"date": day.isoformat(), "is_working_day": "", "name": "临时休息日"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="calendar.override.changed")
    assert event.before == {"name": "临时休息"} and event.after == {"name": "临时休息日"}
    response = client.post(f"/admin/portal/workdayoverride/{row.pk}/delete/", {"post": "yes", "reason": ""})
    assert response.status_code == 302
    assert AuditEvent.objects.get(verb="calendar.override.deleted").before["date"] == day.isoformat()
    assert workdays.is_working_day(day)


@pytest.mark.django_db
def test_correcting_a_past_date_needs_a_reason_and_nothing_is_stored_without_one(client, admin_user):
    from django.contrib.messages import get_messages

    client.force_login(admin_user)
    past = date(2026, 11, 24)
    row = WorkdayOverride.objects.create(date=past, is_working_day=False, name="误录")
    url = f"/admin/portal/workdayoverride/{row.pk}/change/"
    response = client.post(url, {"date": "2026-11-24", "is_working_day": "on", "name": "误录"}, follow=True)
    assert any("已经过去" in str(m) and "理由" in str(m) for m in get_messages(response.wsgi_request))
    row.refresh_from_db()
    assert row.is_working_day is False and not AuditEvent.objects.exists()
    response = client.post(f"/admin/portal/workdayoverride/{row.pk}/delete/", {"post": "yes"}, follow=True)
    assert any("已经过去" in str(m) for m in get_messages(response.wsgi_request))
    assert WorkdayOverride.objects.filter(pk=row.pk).exists()
    response = client.post(
        url, {"date": "2026-11-24", "is_working_day": "on", "name": "误录", "reason": "按国办通知更正"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="calendar.override.changed")
    assert event.note == "按国办通知更正" and event.after == {"is_working_day": True}


@pytest.mark.django_db
def test_calendar_years_through_the_verbs(client, admin_user, handler):
    from django.contrib.messages import get_messages
    from django.core.exceptions import PermissionDenied

    client.force_login(admin_user)
    response = client.post("/admin/portal/calendaryear/add/", {"year": "2099", "source": "国办发明电"})
    assert response.status_code == 302
    row = CalendarYear.objects.get(year=2099)
    assert AuditEvent.objects.get(verb="calendar.year.added").after == {"year": 2099, "source": "国办发明电"}
    # A year that has begun cannot be removed; a future one needs a reason.
    begun = CalendarYear.objects.create(year=2026)
    response = client.post(
        f"/admin/portal/calendaryear/{begun.pk}/delete/", {"post": "yes", "reason": "x"}, follow=True
    )
    assert any("已经开始" in str(m) for m in get_messages(response.wsgi_request))
    assert CalendarYear.objects.filter(pk=begun.pk).exists()
    WorkdayOverride.objects.create(date=date(2099, 1, 2), is_working_day=False, name="元旦")
    assert b'name="reason"' in client.get(f"/admin/portal/calendaryear/{row.pk}/delete/").content
    assert client.get(f"/admin/portal/calendaryear/{row.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/portal/calendaryear/{row.pk}/delete/", {"post": "yes", "reason": ""}, follow=True
    )
    assert any("须说明理由" in str(m) for m in get_messages(response.wsgi_request))
    assert (
        CalendarYear.objects.filter(pk=row.pk).exists()
        and WorkdayOverride.objects.filter(date__year=2099).exists()
    )
    response = client.post(
        f"/admin/portal/calendaryear/{row.pk}/delete/", {"post": "yes", "reason": "年份录错"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="calendar.year.deleted")
    assert event.note == "年份录错" and event.before["entries"][0]["name"] == "元旦"
    assert not WorkdayOverride.objects.filter(date__year=2099).exists()
    with pytest.raises(PermissionDenied):
        workdays.save_workday(day=date(2099, 3, 3), is_working_day=False, by=handler)
    assert b"delete_selected" not in client.get("/admin/portal/workdayoverride/").content


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=package_days, n=limits)
def test_subtract_working_days_is_the_inverse_of_add(package_only, day, n):
    earlier = workdays.subtract_working_days(day, n)
    if n == 0:
        assert earlier == day
        return
    assert workdays.is_working_day(earlier) and earlier < day
    # (earlier, day] holds n working days when day is one, else n - 1 (day itself does not count).
    assert workdays.working_days_between(earlier, day) == n - (0 if workdays.is_working_day(day) else 1)
    if workdays.is_working_day(day):
        assert workdays.add_working_days(earlier, n) == day


def test_subtract_working_days_skips_national_day_2026(package_only):
    # National Day 2026: Oct 1–7 off; Oct 8 is the first working day after it, Sat Oct 10 a swapped one.
    assert workdays.subtract_working_days(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert workdays.subtract_working_days(date(2026, 10, 12), 2) == date(2026, 10, 9)


@pytest.mark.django_db
def test_reloading_a_begun_year_that_changes_a_past_date_needs_a_reason(tmp_path):
    # Only National Day listed: as a table year, 2026's other past holidays would become working days.
    schedule = {"year": 2026, "source": "国办发明电", "holidays": [{"name": "国庆节", "date": "2026-10-01"}]}
    path = tmp_path / "2026.json"
    path.write_text(json.dumps(schedule), encoding="utf-8")
    with pytest.raises(CommandError, match="已经过去"):
        call_command("load_calendar", str(path))
    assert not CalendarYear.objects.exists() and not WorkdayOverride.objects.exists()
    call_command("load_calendar", str(path), reason="按国办通知录入")
    call_command("load_calendar", str(path))  # the same again changes nothing: no reason needed
    schedule["holidays"].append({"name": "误录", "date": "2026-11-24"})
    path.write_text(json.dumps(schedule), encoding="utf-8")
    with pytest.raises(CommandError, match="2026-11-24"):
        call_command("load_calendar", str(path))
    call_command("load_calendar", str(path), reason="补录")
    assert WorkdayOverride.objects.filter(date=date(2026, 11, 24)).exists()
    assert AuditEvent.objects.filter(verb="calendar.year_loaded").last().note == "补录"
