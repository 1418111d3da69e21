"""The registry of computed indicator sources: named functions of the other apps' published modules.

A computed indicator names a source (``Indicator.source_key``). Each source reads one figure per
department for a period through the owning app's small function module (``approvals.indicators``,
``monitoring.indicators``, ``complaints.indicators``, ``risks.indicators``) — never its tables.
A source whose module or function is not there (an app that has not published it yet) is simply
absent from the registry: indicator systems cannot choose it, and a run refuses an indicator that
names it, with the indicator's name in the error.

Loading: the sources sharing one function are read with one call, so a run costs one aggregate
query (two for a ratio of two tables) per function used, however many units are scored.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

# What an absent department means: "count" sources count nothing (value 0); "rate" sources have
# nothing to divide by, so the indicator does not apply to the unit this year (scored in full).
COUNT, RATE = "count", "rate"


@dataclass(frozen=True)
class SourceDef:
    key: str
    label: str
    unit: str
    module: str
    function: str
    field: str = "value"
    absent: str = RATE
    link_name: str = ""  # URL name of the owning app's list of what was counted
    link_query: Callable[[object, date, date], dict] | None = None
    # "app.verb" of the owning app's permissions.py deciding who may open that list (portal.templatetags.access)
    link_rule: str = ""
    transform: Callable[[object], float | None] | None = None  # e.g. a grade to points
    # How to call the function and shape its answer, when it is not ``fn(start, end) -> {dept: {...}}``.
    shape: Callable[[Callable, datetime, datetime], dict] | None = None

    def loader(self) -> Callable[[datetime, datetime], dict] | None:
        try:
            module = importlib.import_module(self.module)
        except ImportError:
            return None
        return getattr(module, self.function, None)

    def link(self, department, start: date, end: date) -> str:
        """The owning app's list of the rows this source counted for ``department``, or ''."""
        if not self.link_name:
            return ""
        try:
            url = reverse(self.link_name)
        except NoReverseMatch:
            return ""
        query = self.link_query(department, start, end) if self.link_query else {}
        return f"{url}?{urlencode(query)}" if query else url


def _alerts_query(kind):
    def query(department, start, end):
        return {"department": department.code, "kind": kind, "raised_after": start, "raised_before": end}

    return query


def _cases_query(department, start, end):
    return {"department": department.code, "status": "completed"}


CANDIDATES = [
    SourceDef("approvals.on_time_rate", "按时办结率", "%", "approvals.indicators", "on_time_completion",
              link_name="approvals:desk", link_query=_cases_query, link_rule="approvals.open_desk"),
    SourceDef("approvals.alarms_per_100", "超时报警/百件", "件", "approvals.indicators", "overdue_alarms_per_100",
              link_name="monitoring:alerts", link_query=_alerts_query("overdue"), link_rule="monitoring.open_alerts"),
    SourceDef("approvals.satisfaction", "服务对象满意率", "%", "approvals.indicators", "service_satisfaction",
              link_name="approvals:desk", link_query=_cases_query, link_rule="approvals.open_desk"),
    SourceDef("approvals.cases", "受理件数", "件", "approvals.indicators", "cases_per_department", absent=COUNT,
              link_name="approvals:desk", link_query=lambda d, s, e: {"department": d.code},
              link_rule="approvals.open_desk"),
    SourceDef("monitoring.accountability", "问责记录", "人次", "monitoring.indicators", "accountability_records",
              absent=COUNT, link_name="monitoring:accountability", link_rule="monitoring.open_alerts"),
    SourceDef("monitoring.anomalies", "异常预警", "条", "monitoring.indicators", "anomalies", absent=COUNT,
              link_name="monitoring:alerts", link_query=_alerts_query("anomaly"), link_rule="monitoring.open_alerts"),
]  # fmt: skip


def _complaints_query(department, start, end):
    return {"department": department.code, "received_after": start, "received_before": end}


# The nine complaint indicators and the handling grade (complaints.indicators.department_indicators).
COMPLAINT_INDICATORS = [
    ("volume", "投诉受理量", "件", COUNT),
    ("on_time_acceptance_rate", "投诉按时签收率", "%", RATE),
    ("completion_rate", "诉求办结率", "%", RATE),
    ("on_time_completion_rate", "投诉按时办结率", "%", RATE),
    ("reopened_rate", "投诉重新办理率", "%", RATE),
    ("pressed_rate", "投诉督办率", "%", RATE),
    ("returned_rate", "投诉退回率", "%", RATE),
    ("average_handling_days", "投诉平均办理用时", "工作日", RATE),
    ("satisfaction_rate", "群众满意率", "%", RATE),
]
GRADE_POINTS = {"excellent": 100.0, "qualified": 75.0, "unqualified": 0.0}
CANDIDATES += [
    SourceDef(f"complaints.{name}", label, unit, "complaints.indicators", "department_indicators", field=name,
              absent=absent, link_name="complaints:list", link_query=_complaints_query,
              link_rule="complaints.open_desk")
    for name, label, unit, absent in COMPLAINT_INDICATORS
] + [
    SourceDef("complaints.grade", "投诉办理质量等次（优秀100/合格75/不合格0）", "分", "complaints.indicators",
              "department_indicators", field="grade", link_name="complaints:report", link_rule="complaints.see_reports",
              transform=lambda g: GRADE_POINTS.get(g))
]  # fmt: skip


def _inclusive_dates(start: datetime, end: datetime) -> tuple[date, date]:
    return start.date(), (end - timedelta(days=1)).date()


def _risk_rectifications(fn, start, end) -> dict:
    """risks.indicators.rectifications_on_time(first day, last day) -> {dept: (on_time, total)}."""
    rows = fn(*_inclusive_dates(start, end))
    return {
        d: {"value": 100.0 * on / total, "on_time": on, "total": total}
        for d, (on, total) in rows.items()
        if total
    }


def _risk_warnings(fn, start, end) -> dict:
    """risks.indicators.warnings_issued(first day, last day) -> {dept: {level: n}}: their sum."""
    rows = fn(*_inclusive_dates(start, end))
    return {d: {"value": float(sum(levels.values())), **levels} for d, levels in rows.items()}


CANDIDATES += [
    SourceDef("risks.rectifications_on_time", "廉政风险整改按期完成率", "%", "risks.indicators",
              "rectifications_on_time", shape=_risk_rectifications),
    SourceDef("risks.warnings", "廉政风险预警", "次", "risks.indicators", "warnings_issued", absent=COUNT,
              shape=_risk_warnings),
]  # fmt: skip


# Names of the counts the published functions return, as the trace page shows them.
FIGURE_LABELS = {
    "completed": "办结件数", "on_time": "按时办结", "alarms": "超时报警", "rated": "评价件数",
    "satisfied": "满意件数", "accepted": "受理件数", "records": "问责人次", "alerts": "预警条数",
    "volume": "投诉受理量", "closed": "办结件数", "closed_on_time": "按时办结", "pressed": "督办件数",
    "returned": "退回件数", "reopened": "重新办理", "grade": "办理质量等次", "total": "整改件数",
    "red": "红色预警", "yellow": "黄色预警", "blue": "蓝色预警",
}  # fmt: skip


def figure_items(figures: dict) -> list[tuple[str, object]]:
    return [(FIGURE_LABELS.get(k, k), v) for k, v in figures.items() if k != "value"]


def registry() -> dict[str, SourceDef]:
    """The sources whose function exists now, by key."""
    return {s.key: s for s in CANDIDATES if s.loader() is not None}


def choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.label}（{s.key}）") for s in registry().values()]


def _value(row, source: SourceDef):
    value = row.get(source.field) if isinstance(row, dict) else getattr(row, source.field, None)
    if source.transform is not None:
        value = source.transform(value)
    return None if value is None else float(value)


def load(keys, start: datetime, end: datetime) -> dict[str, dict[int, dict]]:
    """``{key: {department_id: {"value": float, …counts}}}`` for the given source keys.

    One call per distinct function (sources sharing one — the complaint indicators — share it).
    Raises KeyError for a key not in the registry.
    """
    available = registry()
    calls: dict[tuple, dict] = {}
    figures = {}
    for key in sorted(set(keys)):
        source = available[key]
        ident = (source.module, source.function, source.shape)
        if ident not in calls:
            fn = source.loader()
            calls[ident] = source.shape(fn, start, end) if source.shape else fn(start, end)
        out = {}
        for dept_id, row in calls[ident].items():
            value = _value(row, source)
            if value is None:
                continue
            # The counts behind the figure (integers), not the function's other rates.
            detail = dict(row) if isinstance(row, dict) else {}
            detail = {k: v for k, v in detail.items() if isinstance(v, int) and not isinstance(v, bool)}
            detail["value"] = value
            out[int(dept_id)] = detail
        figures[key] = out
    return figures
