"""Anomaly rules over cases: each fires once on its bad path and not on the legal one.

The bad paths are mostly data changed outside the verbs (the verbs refuse them): rows edited or
deleted in the database, a legacy import. ``check`` runs one rule on one case, twice, and returns
the anomaly alerts of that rule on that case (a rerun must add nothing).
"""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from approvals import services
from approvals.choices import CaseStatus, EventKind
from approvals.models import Case, CaseEvent, CaseStep, FeePayment, PenaltyDecision
from monitoring import rules
from monitoring.choices import AlertKind, AlertLevel
from monitoring.models import Alert
from tests.approvals.factories import at
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = [
    "changed_after_completion",
    "discretion_outside_band",
    "fee_missing",
    "separated_duty",
    "step_irregular",
]


def check(code, case):
    first = rules.run(targets=[case.pk], codes=[code])
    again = rules.run(targets=[case.pk], codes=[code])
    assert again == {code: 0}  # once per occurrence
    alerts = list(Alert.objects.filter(rule=code, target_id=str(case.pk)))
    assert first == {code: len(alerts)}
    assert all(
        alert.kind == AlertKind.ANOMALY and alert.department_id == case.department_id for alert in alerts
    )
    return alerts


def completed(centre):
    """The legal path to the end: fee recorded at the fee window, completed, rated."""
    case, secret = centre.decided()  # the decision step is the last one
    services.record_fee(case, by=centre.clerk, amount="50.00", receipt_no="R1", now=at(2025, 3, 7, 11))
    case = services.complete_case(case, by=centre.clerk, now=at(2025, 3, 7, 12))
    services.rate_case(case, secret=secret, score=5, now=at(2025, 3, 8))
    return Case.objects.get(pk=case.pk)


def test_every_rule_is_registered_and_quiet_on_the_legal_path(centre):
    assert set(RULES) <= {rule.code for rule in rules.registered()}
    case = completed(centre)
    assert case.status == CaseStatus.COMPLETED
    counts = rules.run(targets=[case.pk])
    assert set(RULES) <= set(counts) and sum(counts.values()) == 0
    assert rules.run() == {code: 0 for code in counts}


# --- a. discretion outside its band ----------------------------------------------------------------


@pytest.fixture
def enforcement(centre):
    from tests.approvals.factories import penalty_power

    officer_post = PostFactory(department=centre.department, code="ZF", name="执法岗")
    head_post = PostFactory(department=centre.department, code="FZR", name="负责人岗")
    power, standard = penalty_power(centre.department, [officer_post, head_post])
    officer = UserFactory(
        username="officer", roles=["dept_handler"], department=centre.department, posts=[officer_post]
    )
    chief = UserFactory(
        username="chief", roles=["dept_head"], department=centre.department, posts=[head_post]
    )
    case = services.open_enforcement_case(
        power, by=officer, party_name="某便利店", facts="占道", now=at(2025, 3, 3)
    )
    case = services.advance_step(case, by=officer, opinion="占用 3 平方米", now=at(2025, 3, 5))
    return case, standard, chief


def test_discretion_inside_the_band_is_quiet(enforcement):
    case, standard, chief = enforcement
    services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="300", now=at(2025, 3, 6))
    assert check("discretion_outside_band", case) == []
    assert check("separated_duty", case) == []  # filed by the officer, decided by the chief


def test_discretion_outside_the_band_with_reasons_still_fires(enforcement):
    case, standard, chief = enforcement
    penalty = services.decide_penalty(
        case, by=chief, standard=standard, fact="3", amount="800", reasons="一年内第三次同类违法",
        collective_discussion_record="局务会集体讨论同意", now=at(2025, 3, 6),
    )  # fmt: skip
    [alert] = check("discretion_outside_band", case)
    assert alert.occurrence == f"penalty:{penalty.pk}" and alert.level == AlertLevel.YELLOW
    assert "已说明理由" in alert.title and "800" in alert.detail and "局务会" in alert.detail


def test_an_amount_edited_outside_the_band_fires(enforcement):
    case, standard, chief = enforcement
    services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="300", now=at(2025, 3, 6))
    PenaltyDecision.objects.filter(case=case).update(amount=5000)  # outside_band left False
    [alert] = check("discretion_outside_band", case)
    assert "理由不全" in alert.title


# --- b. the same person on both sides of a separated duty ------------------------------------------


def test_separate_people_are_quiet_even_with_a_b_post(centre):
    case, _ = centre.accepted()
    case = services.advance_step(case, by=centre.backup, opinion="B岗代办", now=at(2025, 3, 4))
    assert case.steps.get(order=1).acted_as_backup
    case = services.advance_step(case, by=centre.reviewer, now=at(2025, 3, 5))
    services.decide_case(case, by=centre.approver, decision="approve", now=at(2025, 3, 6))
    assert check("separated_duty", case) == []
    assert check("step_irregular", case) == []


def test_head_who_accepts_and_decides_fires_once(centre):
    case, _ = centre.apply()
    case = services.accept_case(case, by=centre.approver, now=at(2025, 3, 3, 10))  # department head: allowed
    case = services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))
    case = services.advance_step(case, by=centre.reviewer, now=at(2025, 3, 5))
    services.decide_case(case, by=centre.approver, decision="approve", now=at(2025, 3, 6))
    [alert] = check("separated_duty", case)
    assert alert.occurrence == "accepted-decided" and alert.level == AlertLevel.RED


def test_decider_who_also_reviewed_fires_once(centre):
    centre.reviewer.staff_profile.posts.add(centre.steps[2].post)  # reviewer also holds the approval post
    case, _ = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))
    case = services.advance_step(case, by=centre.reviewer, now=at(2025, 3, 5))
    services.decide_case(case, by=centre.reviewer, decision="approve", now=at(2025, 3, 6))
    [alert] = check("separated_duty", case)
    assert alert.occurrence == f"decider:{centre.reviewer.pk}" and "审查、决定" in alert.detail


def test_a_post_holder_acting_as_his_own_b_post_fires(centre):
    case, _ = centre.decided()
    step = case.steps.get(order=1)  # done by the acceptor on the A post
    CaseStep.objects.filter(pk=step.pk).update(acted_as_backup=True, handled_post=step.post.backup)
    [alert] = check("separated_duty", case)
    assert alert.occurrence == f"backup:{step.pk}"


# --- c. a step out of order or by a post that does not own it -----------------------------------


def test_a_step_by_the_wrong_post_fires(centre):
    case, _ = centre.decided()
    assert check("step_irregular", case) == []
    review = case.steps.get(order=2)
    CaseStep.objects.filter(pk=review.pk).update(
        handled_post=centre.steps[0].post, handled_by=centre.acceptor
    )
    [alert] = check("step_irregular", case)
    assert alert.occurrence == f"post:{review.pk}" and "受理岗" in alert.detail


def test_a_step_finished_before_an_earlier_one_fires(centre):
    case, _ = centre.decided()
    review = case.steps.get(order=2)
    CaseStep.objects.filter(pk=review.pk).update(finished_at=at(2025, 3, 3, 8))  # before acceptance's step
    [alert] = check("step_irregular", case)
    assert alert.occurrence.startswith("order:")


def test_a_skipped_step_fires(centre):
    case, _ = centre.decided()
    review = case.steps.get(order=2)
    CaseStep.objects.filter(pk=review.pk).delete()  # an import that left the review out
    [alert] = check("step_irregular", case)
    assert alert.occurrence == f"skipped:{centre.steps[1].pk}"


# --- d. completed without the fee ------------------------------------------------------------------


def test_a_deleted_fee_fires_and_a_refusal_owes_none(centre):
    case = completed(centre)
    assert check("fee_missing", case) == []
    FeePayment.objects.filter(case=case).delete()
    [alert] = check("fee_missing", case)
    assert alert.occurrence == "fee" and "50" in alert.detail

    refused, _ = centre.decided(decision="refuse")
    refused = services.complete_case(refused, by=centre.clerk, now=at(2025, 3, 7))
    assert check("fee_missing", refused) == []


# --- e. reopened or edited after completion ---------------------------------------------------------


def test_an_edit_after_completion_fires(centre):
    case = completed(centre)  # rated after completion: a legal entry
    assert check("changed_after_completion", case) == []
    later = timezone.now() + timedelta(minutes=5)
    Case.objects.filter(pk=case.pk).update(decision_reason="改过的理由", updated_at=later)
    [alert] = check("changed_after_completion", case)
    assert alert.occurrence.startswith("edited:")


def test_a_reopened_case_fires(centre):
    case = completed(centre)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED)  # by hand: no audit event, no save()
    [alert] = check("changed_after_completion", case)
    assert alert.occurrence.startswith("reopened:") and "已作出决定" in alert.detail


def test_a_trail_entry_after_completion_fires(centre):
    case = completed(centre)
    event = CaseEvent.objects.create(
        case=case, at=at(2025, 3, 10), kind=EventKind.STEP_DONE, note="补录审查意见"
    )
    [alert] = check("changed_after_completion", case)
    assert alert.occurrence == f"event:{event.pk}"


# --- running after each verb, the incremental scope, the demo -----------------------------------


def test_the_next_incremental_run_checks_what_a_verb_changed(centre):
    """The verb publishes nothing; beat's incremental run (every minute) finds the anomaly."""
    from monitoring.tasks import run_anomaly_rules

    case, _ = centre.apply()
    services.accept_case(case, by=centre.approver, now=at(2025, 3, 3, 10))
    case = services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))
    case = services.advance_step(case, by=centre.reviewer, now=at(2025, 3, 5))
    assert run_anomaly_rules()["separated_duty"] == 0
    services.decide_case(case, by=centre.approver, decision="approve", now=at(2025, 3, 6))
    assert not Alert.objects.exists()  # nothing ran inside the request
    assert run_anomaly_rules()["separated_duty"] == 1
    assert Alert.objects.get().rule == "separated_duty"


def test_a_verb_schedules_nothing_after_commit(centre, django_capture_on_commit_callbacks):
    """No on-commit publish: a hung broker or a failing rule can never touch a citizen's request."""
    case, _ = centre.apply()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.accept_case(case, by=centre.clerk, now=at(2025, 3, 3, 10))
    assert callbacks == []


def test_incremental_scope_is_the_cases_changed_since(centre):
    from approvals.anomalies import cases_changed_since

    before = timezone.now() - timedelta(seconds=1)
    case, _ = centre.accepted()
    assert case.pk in cases_changed_since(before)
    assert case.pk not in cases_changed_since(timezone.now() + timedelta(seconds=1))


def test_the_demo_makes_every_rule_fire():
    from approvals import demo
    from portal import demo as portal_demo
    from powers import demo as powers_demo

    out = io.StringIO()
    for app_demo in (portal_demo, powers_demo, demo):
        app_demo.seed("small", out)
    fired = {code: Alert.objects.filter(kind=AlertKind.ANOMALY, rule=code).count() for code in RULES}
    assert all(fired.values()), fired
    assert Alert.objects.filter(rule="separated_duty", occurrence="accepted-decided").exists()
    assert Case.objects.filter(on_time=False).exists()  # the demo's late case is still late
    assert sum(rules.run().values()) == 0  # everything the demo set up is already alerted
