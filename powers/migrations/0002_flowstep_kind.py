# Flowchart steps get an explicit kind (环节类型); the decision step becomes data.
#
# The data step classifies existing steps once, from their names (the only place the project ever
# reads a step's name as a rule; from now on the kind is chosen in the flowchart form), and reports
# every flowchart whose decision step it could not decide: an administrator sets it in the form.

import sys

from django.db import migrations, models

DELIVERY, PUBLICATION, INTAKE, CHECK, REVIEW, DECISION, OTHER = (
    "delivery", "publication", "intake", "check", "review", "decision", "other",
)  # fmt: skip

NAMED = [
    (DELIVERY, ("送达",)),
    (PUBLICATION, ("公开", "公示")),
    (INTAKE, ("受理", "立案", "申请", "登记")),
    (CHECK, ("审核", "复核", "审理", "报批", "法制")),
    (REVIEW, ("审查", "调查", "核查", "检查", "勘验", "取证", "核实")),
]
DECISION_NAMES = (("决定", "裁决"), ("处理", "审批", "批准", "审定"))


def _named_kind(name):
    for kind, words in NAMED:
        if any(word in name for word in words):
            return kind
    return None


def classify(apps, schema_editor):
    FlowStep = apps.get_model("powers", "FlowStep")
    charts = {}
    for step in FlowStep.objects.order_by("flowchart_id", "order").only("id", "flowchart_id", "name", "kind"):
        charts.setdefault(step.flowchart_id, []).append(step)
    undecided = []
    changed = []
    for chart_id, steps in charts.items():
        kinds = {step.pk: _named_kind(step.name) for step in steps}
        decision = None
        for words in DECISION_NAMES:
            named = [
                s for s in steps
                if any(w in s.name for w in words) and kinds[s.pk] not in (DELIVERY, PUBLICATION)
            ]  # fmt: skip
            if named:
                decision = named[-1]
                break
        for step in steps:
            if decision is not None and step.pk == decision.pk:
                kind = DECISION
            elif kinds[step.pk] is not None:
                kind = kinds[step.pk]
            elif any(w in step.name for words in DECISION_NAMES for w in words):
                kind = CHECK  # a decision-like step before the one that decides
            else:
                kind = OTHER
            if step.kind != kind:
                step.kind = kind
                changed.append(step)
        if decision is None:
            undecided.append((chart_id, " → ".join(s.name for s in steps)))
    FlowStep.objects.bulk_update(changed, ["kind"], batch_size=1000)
    if undecided:
        sys.stdout.write(
            f"\n  flowchart step kinds: {len(undecided)} flowchart(s) with no step recognisable as the "
            "decision step; set one in the flowchart form (until then the last step before any "
            "delivery or publication decides):\n"
        )
        for chart_id, names in undecided[:50]:
            sys.stdout.write(f"    flowchart #{chart_id}: {names}\n")
        if len(undecided) > 50:
            sys.stdout.write(f"    … and {len(undecided) - 50} more\n")


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_numberseries_outboxmessage'),
        ('powers', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='flowstep',
            name='kind',
            field=models.CharField(choices=[('intake', '受理'), ('review', '审查'), ('check', '审核'), ('decision', '决定'), ('delivery', '送达'), ('publication', '公开'), ('other', '其他')], default='other', max_length=12, verbose_name='环节类型'),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='flowstep',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'decision')), fields=('flowchart',), name='flowstep_one_decision'),
        ),
    ]
