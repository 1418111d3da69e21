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
from datetime import date, datetime

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
              link_name="approvals:desk", link_query=_cases_query),
    SourceDef("approvals.alarms_per_100", "超时报警/百件", "件", "approvals.indicators", "overdue_alarms_per_100",
              link_name="monitoring:alerts", link_query=_alerts_query("overdue")),
    SourceDef("approvals.satisfaction", "服务对象满意率", "%", "approvals.indicators", "service_satisfaction",
              link_name="approvals:desk", link_query=_cases_query),
    SourceDef("approvals.cases", "受理件数", "件", "approvals.indicators", "cases_per_department", absent=COUNT,
              link_name="approvals:desk", link_query=lambda d, s, e: {"department": d.code}),
    SourceDef("monitoring.accountability", "问责记录", "人次", "monitoring.indicators", "accountability_records",
              absent=COUNT, link_name="monitoring:accountability"),
    SourceDef("monitoring.anomalies", "异常预警", "条", "monitoring.indicators", "anomalies", absent=COUNT,
              link_name="monitoring:alerts", link_query=_alerts_query("anomaly")),
    # Published by the complaints and risks apps; absent until their modules provide them.
    SourceDef("complaints.completion_rate", "诉求办结率", "%", "complaints.indicators", "department_indicators",
              field="completion_rate", link_name="complaints:list"),
    SourceDef("complaints.satisfaction_rate", "群众满意率", "%", "complaints.indicators", "department_indicators",
              field="satisfaction_rate", link_name="complaints:list"),
    SourceDef("risks.rectifications_on_time", "廉政风险整改按期完成率", "%", "risks.indicators",
              "rectifications_on_time", link_name="risks:list"),
]  # fmt: skip


# Names of the counts the published functions return, as the trace page shows them.
FIGURE_LABELS = {
    "completed": "办结件数", "on_time": "按时办结", "alarms": "超时报警", "rated": "评价件数",
    "satisfied": "满意件数", "accepted": "受理件数", "records": "问责人次", "alerts": "预警条数",
}  # fmt: skip


def figure_items(figures: dict) -> list[tuple[str, object]]:
    return [(FIGURE_LABELS.get(k, k), v) for k, v in figures.items() if k != "value"]


def registry() -> dict[str, SourceDef]:
    """The sources whose function exists now, by key."""
    return {s.key: s for s in CANDIDATES if s.loader() is not None}


def choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.label}（{s.key}）") for s in registry().values()]


def _value(row, field: str):
    value = row.get(field) if isinstance(row, dict) else getattr(row, field, None)
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
        ident = (source.module, source.function)
        if ident not in calls:
            calls[ident] = source.loader()(start, end)
        out = {}
        for dept_id, row in calls[ident].items():
            value = _value(row, source.field)
            if value is None:
                continue
            detail = dict(row) if isinstance(row, dict) else {}
            detail = {k: v for k, v in detail.items() if isinstance(v, int | float | str)}
            detail["value"] = value
            out[int(dept_id)] = detail
        figures[key] = out
    return figures
