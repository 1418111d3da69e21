"""Pages: visibility before publication, the traced result, the vote, import/export, staff pages."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from performance import services
from performance.models import (
    Indicator,
    KeyTaskCriterion,
    OnlineVote,
    Period,
    Rectification,
    Result,
    SurveyResult,
)
from portal import roles
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def computed(series, units, appraiser):
    period = Period.objects.get(year=series.year)
    for i, dept in enumerate(units):
        for code in ("kt", "eff"):
            services.submit_entry(period, indicator=Indicator.objects.get(code=code), department=dept,
                                  value=90 - 10 * i, evidence="=HYPERLINK(\"x\")", by=appraiser)  # fmt: skip
    services.compute_year(series.year, by=appraiser)
    return series.year


def test_unpublished_results_are_invisible_to_public_and_other_units(
    client, computed, units, unit_head, appraiser
):
    ranking = reverse("performance:ranking", args=[computed.year])
    mine = reverse("performance:result", args=[computed.year, units[0].code])
    other = reverse("performance:result", args=[computed.year, units[1].code])
    assert client.get(ranking).status_code == 404
    assert client.get(mine).status_code == 404
    assert client.get(reverse("performance:unit", args=[units[0].code])).status_code == 404
    assert client.get(reverse("performance:export", args=[computed.year, "results"])).status_code == 404
    login(client, unit_head)
    assert client.get(ranking).status_code == 404
    assert client.get(other).status_code == 404
    assert client.get(mine).status_code == 200  # its own, marked unpublished
    client.logout()
    login(client, appraiser)
    page = client.get(ranking)
    assert page.status_code == 200 and "预览" in page.content.decode()


def test_published_ranking_and_trace_are_public(client, computed, units, appraiser, unit_head):
    services.publish_year(computed, by=appraiser)
    own = client.get(reverse("performance:result", args=[computed.year, units[0].code])).content.decode()
    assert "已记入本单位领导班子和领导干部考核" in own and "unithead" not in own  # no names in public
    page = client.get(reverse("performance:ranking", args=[computed.year])).content.decode()
    assert units[0].name in page and "不得评优" in page
    detail = client.get(reverse("performance:result", args=[computed.year, units[4].code])).content.decode()
    assert "重点任务kt" in detail and "佐证" in detail and "整改报告" in detail
    history = client.get(reverse("performance:unit", args=[units[0].code]))
    assert (
        history.status_code == 200
        and b"appraisal-chart" in history.content
        and b"echarts.min.js" in history.content
    )
    assert b"cdn" not in history.content.lower()


def test_results_export_is_formula_safe(client, computed, appraiser):
    services.publish_year(computed, by=appraiser)
    response = client.get(reverse("performance:export", args=[computed.year, "results"]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "考评系列" and sheet.max_row == 6
    Indicator.objects.filter(code="kt").update(name="=cmd|' /C calc'!A0")
    response = client.get(reverse("performance:export", args=[computed.year, "indicators"]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert sheet.cell(2, 6).value == "'=cmd|' /C calc'!A0"


def test_portal_excel_escapes_formulas():
    from portal.excel import safe_cell as safe

    assert (
        safe("=1+1") == "'=1+1"
        and safe("@SUM(A1)") == "'@SUM(A1)"
        and safe("正常") == "正常"
        and safe(3) == 3
    )


def _workbook(rows):
    wb = Workbook()
    wb.active.append(["单位编码", "评议主体", "评议得分", "参评人数"])
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "s.xlsx"
    return buf


def test_survey_import_all_or_nothing_with_row_report(client, series, units, appraiser):
    login(client, appraiser)
    url = reverse("performance:surveys", args=[series.year.year])
    bad = _workbook([["U00", "人大代表", 90, 30], ["NOPE", "政协委员", 101, 0], ["U01", "网上评议", 80, 3]])
    page = client.post(url, {"file": bad}).content.decode()
    assert "第3行" in page and "第4行" in page and "不在本年度参评单位" in page
    assert not SurveyResult.objects.exists()
    good = _workbook([["U00", "人大代表", 90, 30], ["U01", "cppcc", "85.5", 12]])
    assert client.post(url, {"file": good}).status_code == 302
    assert SurveyResult.objects.count() == 2
    assert client.get(url).status_code == 200  # the template


def test_vote_page_one_vote_per_period(client, series, units):
    url = reverse("performance:vote")
    page = client.get(url)
    assert "每人每期对每个单位只能评议一次" in page.content.decode()
    data = {"department": units[0].pk, "choice": "satisfied", "comment": "很好"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 409 and "只能评议一次" in again.content.decode()
    client.cookies.clear()  # a new browser, same address: still refused
    assert client.post(url, data).status_code == 409
    assert OnlineVote.objects.count() == 1
    assert client.post(url, {**data, "phone": "123"}).status_code == 400


def test_vote_rate_limited(client, series, units, settings):
    url = reverse("performance:vote")
    codes = [client.post(url, {"department": units[0].pk, "choice": "bogus"}).status_code for _ in range(12)]
    assert codes[-1] == 429


def test_vote_page_absent_when_no_period_open(client, series):
    Period.objects.update(voting_open=False)
    assert client.get(reverse("performance:vote")).status_code == 404


def test_office_pages_and_actions(client, series, units, appraiser, unit_head):
    assert client.get(reverse("performance:office")).status_code == 302
    login(client, unit_head)
    assert client.get(reverse("performance:office")).status_code == 403
    client.logout()
    login(client, appraiser)
    assert client.get(reverse("performance:office")).status_code == 200
    year_url = reverse("performance:year", args=[series.year.year])
    assert "检查通过" in client.get(year_url).content.decode()
    confirm = client.get(reverse("performance:year_action", args=[series.year.year, "compute"]))
    assert (
        confirm.status_code == 200 and "年终计分并排名" in confirm.content.decode()
    )  # a GET asks, never runs
    assert Result.objects.count() == 0
    for i, dept in enumerate(units):
        SurveyResult.objects.create(year=series.year, department=dept, kind="residents", score=50 + i, respondents=9,
                                    imported_at="2025-12-01T00:00+08:00")  # fmt: skip
    client.post(reverse("performance:year_action", args=[series.year.year, "compute"]))
    assert Result.objects.count() == 5
    client.post(reverse("performance:year_action", args=[series.year.year, "publish"]))
    assert Rectification.objects.count() == 3
    task = Rectification.objects.first()
    assert client.get(reverse("performance:rectification", args=[task.pk])).status_code == 200
    result = Result.objects.get(department=units[0])
    response = client.post(reverse("performance:correct", args=[series.year.year, units[0].code]),
                           {"score": "1E+999999", "reason": "x"})  # fmt: skip
    assert response.status_code == 302 and result.corrections.count() == 0


def test_unit_declares_criteria_and_submits_rectification(client, series, units, unit_head, appraiser):
    login(client, unit_head)
    ind = Indicator.objects.get(code="kt")
    data = {"indicator": ind.pk, "title": "营商环境", "work_report_ref": "报告三", "criterion": "办结率≥98%"}
    assert client.post(reverse("performance:criteria"), data).status_code == 302
    assert KeyTaskCriterion.objects.get().department == units[0]
    assert client.get(reverse("performance:criteria")).status_code == 200
    assert client.get(reverse("performance:entries")).status_code == 200
    other = UserFactory(
        username="otherhead", roles=[roles.DEPT_HEAD], department=DepartmentFactory(code="ZZ")
    )
    client.logout()
    login(client, other)
    assert (
        KeyTaskCriterion.objects.get().department.code
        not in client.get(reverse("performance:criteria")).content.decode()
    )


def test_admin_pages_of_the_indicator_system(client, computed, admin_user, series):
    client.force_login(admin_user)
    for url in [
        reverse("admin:performance_series_change", args=[series.pk]),
        reverse("admin:performance_category_changelist"),
        reverse("admin:performance_appraisalyear_change", args=[computed.pk]),
        reverse("admin:performance_result_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_office_verbs_refuse_bad_notes_and_keep_state(client, series, units, appraiser, unit_head):
    """The criterion verbs share the one action view: a return without a reason or with a control
    character is a form error (400) and changes nothing; the unit's redeclaration goes back to the list."""
    from performance.models import Indicator

    criterion = services.declare_criterion(
        series.year, department=units[0], indicator=Indicator.objects.get(code="kt"), title="营商环境",
        work_report_ref="政府工作报告第三部分", criterion="全年办结率不低于98%", by=unit_head,
    )  # fmt: skip
    login(client, appraiser)
    url = reverse("performance:criterion_action", args=[criterion.pk, "return"])
    assert client.get(url).status_code == 200  # the verb's own page, with its form
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "理由\x00"}).status_code == 400
    criterion.refresh_from_db()
    assert criterion.status == "declared"
    response = client.post(url, {"note": "与工作报告目标不一致"})
    assert response.status_code == 302 and response.url == reverse("performance:criteria")
    criterion.refresh_from_db()
    assert criterion.status == "returned" and criterion.review_note == "与工作报告目标不一致"
    client.logout()
    login(client, unit_head)
    redeclare = reverse("performance:criterion_action", args=[criterion.pk, "redeclare"])
    response = client.post(redeclare, {"criterion": "全年办结率不低于99%"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.status == "declared" and criterion.criterion == "全年办结率不低于99%"
    assert (
        client.post(reverse("performance:criterion_action", args=[criterion.pk, "nope"])).status_code == 404
    )
