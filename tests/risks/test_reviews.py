"""Quarterly self-reviews on a timer, democratic evaluation (flag, never decide automatically), ten clarities."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from monitoring import timers
from portal.services import TransitionError
from risks import reviews
from risks.choices import REVIEW_TIMER, ReviewStatus
from risks.models import SelfReview
from tests.factories import UserFactory
from tests.powers.factories import PowerFactory
from tests.risks.factories import RiskPointFactory


@pytest.fixture
def review(department, inspector):
    RiskPointFactory(power=PowerFactory(department=department))
    assert reviews.open_self_reviews(2026, 2, by=inspector) == 1
    assert reviews.open_self_reviews(2026, 2) == 0  # idempotent
    return SelfReview.objects.get()


def test_self_review_is_timed_and_submitted(review, handler, head, inspector, other_department):
    timer = timers.for_target(review).get()
    assert timer.purpose == REVIEW_TIMER and timer.stopped_at is None and review.due_on > date(2026, 6, 30)
    outsider = UserFactory(username="o", roles=["dept_head"], department=other_department)
    with pytest.raises(PermissionDenied):
        reviews.submit_self_review(review, by=outsider, report="x")
    review = reviews.submit_self_review(review, by=handler, report="逐个风险点自查，落实到位")
    timer.refresh_from_db()
    assert (
        review.status == ReviewStatus.SUBMITTED
        and timer.stopped_at is not None
        and review.points_reviewed == 1
    )
    with pytest.raises(PermissionDenied):
        reviews.accept_self_review(review, by=head)
    review = reviews.accept_self_review(review, by=inspector, note="同意")
    assert review.status == ReviewStatus.ACCEPTED
    with pytest.raises(TransitionError):
        reviews.submit_self_review(review, by=handler, report="again")


def test_evaluation_flags_below_60_and_only_the_office_decides(inspector, handler, head):
    low = reviews.record_evaluation(
        by=inspector, person=handler, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
        respondents=20, satisfied=11,
    )  # fmt: skip
    high = reviews.record_evaluation(
        by=inspector, person=head, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
        respondents=20, satisfied=12,
    )  # fmt: skip
    assert (low.flagged, str(low.satisfaction), low.decision) == (True, "55.00", "")
    assert high.flagged is False  # exactly 60% is not below
    with pytest.raises(ValidationError):
        reviews.decide_evaluation(high, by=inspector, decision="transfer", note="x")
    with pytest.raises(PermissionDenied):
        reviews.decide_evaluation(low, by=head, decision="transfer", note="x")
    low = reviews.decide_evaluation(low, by=inspector, decision="transfer", note="群众满意率低，调整岗位")
    assert low.decision == "transfer" and low.decided_by == inspector
    with pytest.raises(ValidationError):
        reviews.record_evaluation(by=inspector, person=handler, period_start=date(2026, 1, 1),
                                  period_end=date(2026, 6, 30), respondents=10, satisfied=11)  # fmt: skip
    with pytest.raises(PermissionDenied):
        reviews.record_evaluation(by=head, person=handler, period_start=date(2026, 1, 1),
                                  period_end=date(2026, 6, 30), respondents=10, satisfied=5)  # fmt: skip


def test_ten_clarities_computed_and_evidenced(department, handler):
    RiskPointFactory(power=PowerFactory(department=department), commitment="不收礼", separation_rules="分离")
    rows = {row["code"]: row for row in reviews.clarities(department)}
    assert len(rows) == 10
    assert rows["risk_points"]["done"] and rows["responsible"]["done"] and rows["commitments"]["done"]
    assert not rows["leading_group"]["done"]
    with pytest.raises(ValidationError):
        reviews.record_clarity_evidence(department, by=handler, clarity="risk_points", evidence="x")
    reviews.record_clarity_evidence(department, by=handler, clarity="leading_group", evidence="〔2026〕1号文")
    rows = {row["code"]: row for row in reviews.clarities(department)}
    assert rows["leading_group"]["done"] and "1号文" in rows["leading_group"]["detail"]


def test_pages(client, review, handler, inspector, other_department, department):
    client.force_login(handler)
    url = reverse("risks:department", args=[department.code])
    assert client.get(url).status_code == 200
    client.post(reverse("risks:self_review_verb", args=[review.pk, "submit"]), {"report": "已自查"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert client.post(reverse("risks:self_review_verb", args=[review.pk, "nope"])).status_code == 404
    assert client.get(reverse("risks:evaluations")).status_code == 403
    outsider = UserFactory(username="o", roles=["dept_head"], department=other_department)
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(inspector)
    assert client.get(url).status_code == 200
    response = client.post(reverse("risks:evaluations"), {
        "person": handler.pk, "period_start": "2026-01-01", "period_end": "2026-06-30",
        "respondents": "1E+999999999", "satisfied": "1",
    })  # fmt: skip
    assert response.status_code == 200 and "respondents" in response.context["form"].errors


def test_self_review_verbs_through_the_page(client, review, handler, inspector, department):
    """The verbs go through the one action view: a bad note is a form error (400), nothing stored."""
    client.force_login(handler)
    response = client.post(
        reverse("risks:self_review_verb", args=[review.pk, "submit"]), {"report": "自查\x00"}
    )
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    client.post(reverse("risks:self_review_verb", args=[review.pk, "submit"]), {"report": "已自查"})
    client.force_login(inspector)
    reopen = reverse("risks:self_review_verb", args=[review.pk, "reopen"])
    assert client.post(reopen, {"note": ""}).status_code == 400  # sending back needs a reason
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    response = client.post(reopen, {"note": "风险点未逐个说明"})
    assert response.status_code == 302 and response.url == reverse("risks:department", args=[department.code])
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and review.review_note == "风险点未逐个说明"
    # the form of a verb can be opened on its own page (GET), as every verb of the kernel
    client.force_login(handler)
    page = client.get(reverse("risks:self_review_verb", args=[review.pk, "submit"]))
    assert page.status_code == 200 and "报送自查情况" in page.content.decode()
