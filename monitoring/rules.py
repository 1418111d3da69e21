"""Anomaly rules (异常规则): a small registry, the administrator's switch, and the runner.

``monitoring`` imports none of the apps it watches, so the rules live in those apps and register
here (``approvals.anomalies``, imported from its AppConfig.ready())::

    @register("fee_missing", "办结未收费", "…", level=AlertLevel.RED, changed=cases_changed_since)
    def fee_missing(targets):
        for case in …:
            yield Finding(case, occurrence="fee", title="…", department=case.department)

A rule function receives the ids of the objects to check (``None`` = everything) and yields one
``Finding`` per anomaly it sees; it changes nothing. The runner raises each finding as an alert of
kind ``anomaly`` through ``monitoring.alerts.raise_alert`` with the rule's code and the finding's
``occurrence`` (a stable id such as the step or event id), so a rerun never duplicates an alert.

Each registered rule has an ``AnomalyRule`` row (``sync()``, after migrate and lazily), where an
administrator switches it on or off and sets its level; a rule that is off is not run at all.

Running: ``run(targets)`` checks the given ids with every enabled rule; ``run(since=…)`` checks
what each rule's ``changed(since)`` reports as changed (the periodic task, see
``run_incremental``); ``run()`` checks everything (``manage.py run_anomaly_rules --all``).
A rule switched on again since the last incremental run gets a full scan, so it finds what it
missed while it was off.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from monitoring.choices import AlertKind, AlertLevel
from monitoring.models import AnomalyRule
from monitoring.services.alerts import raise_alert

logger = logging.getLogger(__name__)

# The incremental run remembers when it last started (cache); with no memory it looks back this far.
LAST_RUN_KEY = "monitoring:anomaly-rules:last-run"
FIRST_LOOK_BACK = timedelta(days=1)
# Look a little further back than the last run: a verb that committed while the last run started.
OVERLAP = timedelta(minutes=1)


@dataclass(frozen=True)
class Finding:
    """One anomaly a rule sees: on ``target`` (a model instance), identified by ``occurrence``."""

    target: object
    occurrence: str
    title: str
    department: object = None
    detail: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    description: str
    level: str
    func: Callable[[Iterable | None], Iterable[Finding]]
    # changed(since) -> ids of the targets changed since ``since`` (the incremental run's scope).
    changed: Callable[[datetime], Iterable] | None = None


_registry: dict[str, Rule] = {}


def register(
    code: str,
    name: str,
    description: str = "",
    level: str = AlertLevel.RED,
    *,
    changed: Callable[[datetime], Iterable] | None = None,
):
    """Decorator: register ``func`` as the anomaly rule ``code`` (registering a code again replaces it)."""
    level = AlertLevel(level)

    def decorator(func):
        _registry[code] = Rule(code, str(name), str(description), level, func, changed)
        return func

    return decorator


def unregister(code: str) -> None:
    _registry.pop(code, None)


def registered() -> list[Rule]:
    return sorted(_registry.values(), key=lambda rule: rule.code)


def get(code: str) -> Rule:
    return _registry[code]


def sync(using: str = DEFAULT_DB_ALIAS) -> int:
    """Create the AnomalyRule row of every registered rule; refresh name and description.

    The switch (``enabled``) and the level an administrator set are kept. Returns the number of
    rows created. Rows of rules no longer registered stay (their alerts still name them).
    """
    rows = {row.code: row for row in AnomalyRule.objects.using(using).all()}
    created = 0
    for rule in registered():
        row = rows.get(rule.code)
        if row is None:
            AnomalyRule.objects.using(using).create(
                code=rule.code, name=rule.name, description=rule.description, level=rule.level
            )
            created += 1
        elif (row.name, row.description) != (rule.name, rule.description):
            row.name, row.description = rule.name, rule.description
            row.save(using=using, update_fields=["name", "description", "updated_at"])
    return created


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (MonitoringConfig.ready): rows for every rule registered by then."""
    if AnomalyRule._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before the table existed
    sync(using=using)


def enabled_rules() -> list[tuple[Rule, AnomalyRule]]:
    """The registered rules an administrator has not switched off, each with its row."""
    rows = {row.code: row for row in AnomalyRule.objects.all()}
    if any(rule.code not in rows for rule in registered()):
        sync()
        rows = {row.code: row for row in AnomalyRule.objects.all()}
    return [(rule, rows[rule.code]) for rule in registered() if rows[rule.code].enabled]


def run(targets: Iterable | None = None, *, since: datetime | None = None, codes=None) -> dict[str, int]:
    """Run every enabled rule (or only ``codes``); returns {rule code: new alerts raised}.

    ``targets``: ids every rule checks. Else ``since``: each rule checks what its ``changed``
    reports (a rule without ``changed``, or switched on after ``since``, checks everything).
    Neither: every rule checks everything. A rule that fails is logged and left out of the
    counts; the others still run.
    """
    if targets is not None:
        targets = list(targets)
    counts: dict[str, int] = {}
    changed_ids: dict[Callable, list] = {}
    for rule, row in enabled_rules():
        if codes is not None and rule.code not in codes:
            continue
        scope = targets
        if scope is None and since is not None and rule.changed is not None and row.updated_at < since:
            if rule.changed not in changed_ids:
                changed_ids[rule.changed] = list(rule.changed(since))
            scope = changed_ids[rule.changed]
        if scope is not None and not scope:
            counts[rule.code] = 0
            continue
        try:
            counts[rule.code] = raise_findings(rule, row.level, rule.func(scope))
        except Exception:
            logger.exception("anomaly rule %s failed", rule.code)
    return counts


def raise_findings(rule: Rule, level: str, findings: Iterable[Finding]) -> int:
    """Raise each finding as an anomaly alert of ``rule``, once per occurrence; returns how many are new."""
    new = 0
    for finding in findings:
        _alert, created = raise_alert(
            finding.target,
            kind=AlertKind.ANOMALY,
            level=level,
            title=finding.title,
            department=finding.department,
            rule=rule.code,
            occurrence=finding.occurrence,
            detail=finding.detail,
        )
        new += created
    return new


def run_incremental(now: datetime | None = None) -> dict[str, int]:
    """The periodic run: check what changed since the last incremental run (cache), then remember now."""
    now = now or timezone.now()
    last = cache.get(LAST_RUN_KEY)
    since = (last - OVERLAP) if isinstance(last, datetime) else now - FIRST_LOOK_BACK
    counts = run(since=since)
    cache.set(LAST_RUN_KEY, now, None)
    return counts
