"""Flowchart step kinds: the decision step is data (one per flowchart), never read from a step's name."""

import importlib
import shutil

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from approvals import services as approval_services
from powers import flowchart as drawing
from powers import services
from powers.choices import StepKind
from powers.forms import FlowStepFormSet
from powers.models import Flowchart, FlowStep
from tests.powers.factories import FlowchartFactory, FlowStepFactory, PowerFactory

pytestmark = pytest.mark.django_db

ISSUE_CHART = [("受理", StepKind.INTAKE), ("审查", StepKind.REVIEW), ("审批", StepKind.DECISION),
               ("决定书送达", StepKind.DELIVERY)]  # fmt: skip


def chart_of(steps, **kwargs):
    chart = FlowchartFactory(steps=0, **kwargs)
    for order, (name, kind) in enumerate(steps, start=1):
        FlowStepFactory(flowchart=chart, order=order, name=name, kind=kind)
    return chart


def test_the_decision_step_is_the_step_of_kind_decision():
    """受理 → 审查 → 审批 → 决定书送达: the name 决定书送达 no longer fools anybody."""
    chart = chart_of(ISSUE_CHART)
    assert approval_services.decision_step(chart.pk).name == "审批"


def test_an_unclassified_chart_decides_at_its_last_step_before_delivery():
    chart = chart_of([("一", StepKind.OTHER), ("二", StepKind.OTHER), ("三", StepKind.DELIVERY)])
    assert approval_services.decision_step(chart.pk).name == "二"


def test_one_decision_step_per_flowchart_is_a_constraint():
    chart = chart_of(ISSUE_CHART)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlowStep.objects.create(flowchart=chart, order=5, name="另一个决定", kind=StepKind.DECISION)


def test_the_verb_and_the_form_refuse_two_decision_steps(handler, department):
    power = PowerFactory(department=department, status="draft")
    two = [{"name": "审批", "kind": StepKind.DECISION}, {"name": "决定", "kind": StepKind.DECISION}]
    with pytest.raises(ValidationError, match="只能有一个"):
        services.save_flowchart(power, by=handler, steps=two)
    data = {"steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0"}
    for i, step in enumerate(two):
        data |= {
            f"steps-{i}-name": step["name"],
            f"steps-{i}-kind": step["kind"],
            f"steps-{i}-ORDER": str(i + 1),
        }
    formset = FlowStepFormSet(data, prefix="steps")
    assert not formset.is_valid() and "只能有一个" in str(formset.non_form_errors())
    data["steps-1-kind"] = StepKind.DELIVERY
    formset = FlowStepFormSet(data, prefix="steps")
    assert formset.is_valid(), formset.errors
    chart = services.save_flowchart(power, by=handler, steps=formset.steps())
    assert list(chart.steps.values_list("name", "kind")) == [("审批", "decision"), ("决定", "delivery")]


def test_the_chart_shows_the_kinds():
    chart = chart_of(ISSUE_CHART)
    fallback = str(drawing.fallback_html(chart))
    assert "【决定】" in fallback and "【送达】" in fallback
    if shutil.which("dot"):
        assert "【决定】" in drawing.draw(chart)


def test_the_migration_classifies_existing_charts_and_reports_the_undecided(capsys):
    migration = importlib.import_module("powers.migrations.0002_flowstep_kind")
    issue = chart_of([(name, StepKind.OTHER) for name, _kind in ISSUE_CHART])
    penalty = chart_of(
        [(n, StepKind.OTHER) for n in ("立案", "调查取证", "法制审核", "告知", "处罚决定", "送达执行")]
    )
    unknown = chart_of([("第一环节", StepKind.OTHER), ("第二环节", StepKind.OTHER)])
    migration.classify(apps, None)

    def kinds(chart):
        return list(Flowchart.objects.get(pk=chart.pk).steps.values_list("kind", flat=True))

    assert kinds(issue) == ["intake", "review", "decision", "delivery"]
    assert kinds(penalty) == ["intake", "review", "check", "other", "decision", "delivery"]
    assert kinds(unknown) == ["other", "other"]
    out = capsys.readouterr().out
    assert f"flowchart #{unknown.pk}: 第一环节 → 第二环节" in out and f"#{issue.pk}:" not in out
