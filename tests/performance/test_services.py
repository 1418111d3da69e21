"""The verbs: the run, ranking, consequences, freeze and correction, criteria, entries, votes."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring.models import Timer
from performance import services
from performance.choices import (
    CriterionStatus,
    EntryStatus,
    Grade,
    RaterKind,
    RectificationStatus,
    YearStatus,
)
from performance.models import Category, Indicator, LeaderRecord, Period, Rectification, Result, SurveyResult
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def enter(series, dept, appraiser, kt, eff):
    period = Period.objects.get(year=series.year, quarter=0)
    services.submit_entry(period, indicator=Indicator.objects.get(code="kt"), department=dept, value=kt,
                          evidence="核查记录", by=appraiser)  # fmt: skip
    services.submit_entry(period, indicator=Indicator.objects.get(code="eff"), department=dept, value=eff,
                          evidence="核查记录", by=appraiser)  # fmt: skip


@pytest.fixture
def scored(series, units, appraiser):
    # internal = 0.6 * kt + 0.4 * eff
    for dept, (kt, eff) in zip(units, [(100, 100), (90, 80), (90, 80), (60, 50), (40, 30)], strict=True):
        enter(series, dept, appraiser, kt, eff)
    for dept, score in zip(units, [90, 80, 80, 60, 50], strict=True):
        SurveyResult.objects.create(
            year=series.year, department=dept, kind=RaterKind.RESIDENTS, score=score, respondents=100,
            imported_at="2025-12-01T00:00:00+08:00",
        )  # fmt: skip
    services.compute_year(series.year, by=appraiser)
    return {r.department.code: r for r in Result.objects.select_related("department")}


def test_run_scores_combines_forty_percent_and_ranks_with_ties(scored):
    first = scored["U00"]
    assert first.internal_score == Decimal("100.00")
    assert first.public_score == Decimal("90.00")  # only residents surveyed: rescaled to 100%
    assert first.total == Decimal("96.00")  # 0.6 * 100 + 0.4 * 90
    assert first.grade == Grade.EXCELLENT and first.award_eligible
    assert scored["U01"].total == scored["U02"].total == Decimal("83.60")
    assert scored["U01"].rank == scored["U02"].rank == 2
    assert "并列第 2 名" in scored["U01"].rank_note
    assert scored["U03"].rank == 4
    assert scored["U04"].grade == Grade.POOR and not scored["U04"].award_eligible
    score = scored["U00"].scores.get(indicator__code="kt")
    assert score.basis["evidence"] == "核查记录" and score.score == 100


def test_recompute_is_idempotent_and_audited(scored, series, appraiser):
    before = list(
        Result.objects.order_by("department__code").values_list("department__code", "total", "rank", "grade")
    )
    services.compute_year(series.year, by=appraiser)
    after = list(
        Result.objects.order_by("department__code").values_list("department__code", "total", "rank", "grade")
    )
    assert before == after
    assert Result.objects.count() == 5
    events = AuditEvent.objects.filter(verb="performance.year.computed")
    assert events.count() == 2
    assert events[0].after["digest"] == events[1].after["digest"]


def test_weights_that_do_not_add_up_refuse_the_run_naming_the_level(series, units, appraiser):
    Category.objects.filter(name="效能建设").update(weight=30)
    with pytest.raises(ValidationError) as err:
        services.compute_year(series.year, by=appraiser)
    assert "一级指标权重合计为 90" in str(err.value)
    assert not Result.objects.exists()


def test_unavailable_source_is_refused_by_name(series, units, appraiser):
    Indicator.objects.filter(code="eff").update(source="computed", source_key="complaints.nope")
    with pytest.raises(ValidationError) as err:
        services.compute_year(series.year, by=appraiser)
    assert "complaints.nope" in str(err.value)


def test_only_the_office_computes(series, units, unit_head):
    with pytest.raises(PermissionDenied):
        services.compute_year(series.year, by=unit_head)


def test_publish_freezes_and_records_consequences(scored, series, appraiser, unit_head):
    services.publish_year(series.year, by=appraiser)
    series.year.refresh_from_db()
    assert series.year.status == YearStatus.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.compute_year(series.year, by=appraiser)
    # ranks 1, 2, 2, 4, 5: the last three places reach into the tie for 2nd, so four units report
    tasks = Rectification.objects.order_by("department__code")
    assert [t.department.code for t in tasks] == ["U01", "U02", "U03", "U04"]  # tie at the boundary included
    timer = Timer.objects.get(purpose="appraisal_rectification", target_id=str(tasks[0].pk))
    assert timer.warn_at < timer.due_at
    assert LeaderRecord.objects.filter(result__department__code="U00", leader=unit_head).exists()
    poor = LeaderRecord.objects.get(result__department__code="U04")
    assert "不得参加年度评优" in poor.text
    with pytest.raises(PermissionDenied):
        services.publish_year(series.year, by=appraiser)


def test_correction_after_publication_is_audited_and_reranks(scored, series, appraiser):
    services.publish_year(series.year, by=appraiser)
    result = Result.objects.get(department__code="U03")
    with pytest.raises(ValidationError):
        services.correct_result(result, by=appraiser, reason=" ", new_score=100, indicator=None)
    correction = services.correct_result(result, by=appraiser, reason="复核评议数据有误", new_score=100)
    result.refresh_from_db()
    assert (correction.total_before, correction.before) == (Decimal("57.60"), Decimal("60.00"))
    assert result.public_score == 100
    assert result.total == Decimal("73.60")  # 0.6 * 56 + 0.4 * 100
    assert result.grade == Grade.AVERAGE and not result.award_eligible
    assert AuditEvent.objects.filter(verb="performance.result.corrected", note="复核评议数据有误").exists()
    assert Result.objects.get(department__code="U03").rank <= 4


def test_correction_refused_before_publication(scored, appraiser):
    with pytest.raises(PermissionDenied):
        services.correct_result(Result.objects.first(), by=appraiser, reason="x", new_score=1)


def test_rectification_submit_stops_timer_and_return_restarts(scored, series, appraiser):
    from portal.roles import DEPT_HEAD
    from tests.factories import UserFactory

    services.publish_year(series.year, by=appraiser)
    task = Rectification.objects.get(department__code="U04")
    head = UserFactory(username="h4", roles=[DEPT_HEAD], department=task.department)
    with pytest.raises(PermissionDenied):
        services.submit_rectification(task, by=appraiser, report="x")
    services.submit_rectification(task, by=head, report="查找原因，整改措施如下……")
    assert Timer.objects.get(target_id=str(task.pk)).stopped_at is not None
    services.return_rectification(task, by=appraiser, note="措施不具体")
    task.refresh_from_db()
    assert task.status == RectificationStatus.ASSIGNED
    assert Timer.objects.filter(target_id=str(task.pk), stopped_at__isnull=True).count() == 1


def test_criteria_declare_return_redeclare_approve(series, units, unit_head, appraiser):
    ind = Indicator.objects.get(code="kt")
    c = services.declare_criterion(
        series.year, department=units[0], indicator=ind, title="营商环境", work_report_ref="政府工作报告第三部分",
        criterion="全年办结率不低于98%", by=unit_head,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.approve_criterion(c, by=unit_head)
    services.return_criterion(c, by=appraiser, note="与工作报告目标不一致")
    with pytest.raises(PermissionDenied):
        services.approve_criterion(c, by=appraiser)  # returned: nothing to review
    services.redeclare_criterion(c, by=unit_head, criterion="全年办结率不低于99%")
    c = services.approve_criterion(c, by=appraiser, note="同意")
    assert c.status == CriterionStatus.APPROVED


def test_unit_entry_waits_for_check(series, units, unit_head, appraiser):
    period = Period.objects.get(year=series.year)
    entry = services.submit_entry(period, indicator=Indicator.objects.get(code="kt"), department=units[0],
                                  value=80, evidence="文件", by=unit_head)  # fmt: skip
    assert entry.status == EntryStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.submit_entry(period, indicator=Indicator.objects.get(code="kt"), department=units[1],
                              value=80, evidence="文件", by=unit_head)  # fmt: skip
    services.check_entry(entry, by=appraiser)
    services.compute_year(series.year, by=appraiser)
    assert Result.objects.get(department=units[0]).scores.get(indicator__code="kt").score == 80


def test_one_vote_per_period_by_device_address_or_phone(series, units):
    period = Period.objects.get(year=series.year)
    kw = {"department": units[0], "choice": "satisfied", "comment": ""}
    services.cast_vote(period, device_id="d1", address="1.1.1.1", phone="13800000000", **kw)
    for device, address, phone in [
        ("d1", "2.2.2.2", ""),
        ("d2", "1.1.1.1", ""),
        ("d3", "3.3.3.3", "13800000000"),
    ]:
        with pytest.raises(services.AlreadyVoted):
            services.cast_vote(period, device_id=device, address=address, phone=phone, **kw)
    services.cast_vote(period, device_id="d4", address="4.4.4.4", **kw)
    services.cast_vote(
        period, device_id="d1", address="1.1.1.1", department=units[1], choice="fairly", comment=""
    )
    period.voting_open = False
    period.save()
    with pytest.raises(ValidationError):
        services.cast_vote(period, device_id="d9", address="9.9.9.9", **kw)


def test_imported_votes_follow_the_same_rules_all_or_none(series, units, appraiser):
    from performance.models import OnlineVote

    period = Period.objects.get(year=series.year)
    services.cast_vote(
        period, department=units[0], choice="satisfied", comment="", device_id="d1", address="a1"
    )
    vote = {"department": units[0], "choice": "fairly", "comment": "", "device_id": "d2", "address": "a2"}
    assert (
        services.import_votes(period, [vote, {**vote, "device_id": "d3", "address": "a3"}], by=appraiser) == 2
    )
    assert OnlineVote.objects.filter(period=period, department=units[0]).count() == 3
    assert AuditEvent.objects.filter(verb="performance.votes.imported").count() == 1
    for bad in ([{**vote, "device_id": "d1", "address": "a9"}],  # this device voted already
                [{**vote, "device_id": "d7", "address": "a7"}, {**vote, "device_id": "d8", "address": "a7"}]):  # fmt: skip
        with pytest.raises(services.AlreadyVoted):
            services.import_votes(period, bad, by=appraiser)
    assert OnlineVote.objects.filter(period=period).count() == 3


def test_online_votes_count_in_public_score(series, units, appraiser):
    period = Period.objects.get(year=series.year)
    for i, choice in enumerate(["satisfied", "fairly", "dissatisfied", "satisfied"]):
        services.cast_vote(
            period, department=units[0], choice=choice, comment="", device_id=f"d{i}", address=f"a{i}"
        )
    services.compute_year(series.year, by=appraiser)
    result = Result.objects.get(department=units[0])
    assert result.public_score == 70  # (100 + 80 + 0 + 100) / 4
    assert result.public_detail["online"]["respondents"] == 4
