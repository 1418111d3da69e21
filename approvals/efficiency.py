"""Efficiency analysis (效能分析) of the service centre: how fast cases are completed.

The figures are those of the cases *completed* (办结) in a period — a month or a year — per
department and per service item:

- cases completed; average working days used against the average statutory and promised limits;
- share completed early (提前办结: fewer working days than the promised limit), within the promised
  limit, within the statutory limit (按时) and past it (超期);
- suspension days (暂停计时, not counted in the limit): total and per case;
- reminders (时限提示) and overdue alarms (超时报警) raised on those cases, per 100 cases.

Which cases count: main cases only. Sub-cases of parallel approval (会签件) have their own short
limit set by the case that opened them; mixed into a department's or an item's figures they would
distort the comparison with the item's limits, so they are left out. Enforcement cases (no service
item) count for their department and appear in the item table under their power.

Working days used is stored on the case (``Case.working_days_used``, set by the completion verbs
and backfilled by migration 0002) rather than computed here: computing it needs the holiday
calendar for every case, i.e. a Python loop over every completed case of the period (half a
million in a city's year), while a stored column lets the database average it. The price is one
small column written once, when the case is completed, by the same verbs that record ``on_time``.

Cost: every table is one grouped query whatever the number of cases (the alert counts are two
correlated subqueries per case, served by the alert target index); the period filter uses the
partial index on ``completed_at``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring import alerts
from monitoring.choices import AlertKind
from portal.choices import Level
from portal.models import Department
from portal.roles import INTEGRATOR, department_of, has_role

from .choices import CaseKind
from .models import Case
from .permissions import ALL_DEPARTMENTS_ROLES, can_open_efficiency

# Who sees every department's figures (ALL_DEPARTMENTS_ROLES, permissions.py); heads see their own.
API_ALL_DEPARTMENTS_ROLES = (*ALL_DEPARTMENTS_ROLES, INTEGRATOR)
FIRST_YEAR = 2000  # the earliest year the filter accepts


# --- the period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month (``month`` given) or year of the portal's time zone."""

    year: int
    month: int | None = None

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month or 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        if self.month is None:
            return self.start.replace(year=self.year + 1)
        if self.month == 12:
            return self.start.replace(year=self.year + 1, month=1)
        return self.start.replace(month=self.month + 1)

    @property
    def last_day(self):
        return (self.end - timedelta(days=1)).date()

    @property
    def label(self) -> str:
        if self.month is None:
            return _("%(year)d年") % {"year": self.year}
        return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.month}

    def previous(self) -> Period:
        """The month or year before."""
        if self.month is None:
            return Period(self.year - 1)
        if self.month == 1:
            return Period(self.year - 1, 12)
        return Period(self.year, self.month - 1)

    def year_ago(self) -> Period:
        return Period(self.year - 1, self.month)

    def comparisons(self) -> list[tuple[str, Period]]:
        """The periods a report compares with: the one before and, for a month, the same month a year ago."""
        if self.month is None:
            return [(_("上年"), self.previous())]
        return [(_("上月"), self.previous()), (_("上年同月"), self.year_ago())]

    def query(self) -> str:
        return f"year={self.year}" + (f"&month={self.month}" if self.month else "")


# --- the figures -------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


@dataclass(frozen=True)
class Column:
    """A figure shown by the pages, the printout and the Excel export, in this order."""

    attr: str
    label: str
    kind: str  # count | days | rate | per100


COLUMNS = [
    Column("completed", gettext_lazy("办结件数"), "count"),
    Column("avg_used", gettext_lazy("平均用时"), "days"),
    Column("avg_promised", gettext_lazy("平均承诺时限"), "days"),
    Column("avg_statutory", gettext_lazy("平均法定时限"), "days"),
    Column("early_rate", gettext_lazy("提前办结率"), "rate"),
    Column("promised_on_time_rate", gettext_lazy("承诺时限内办结率"), "rate"),
    Column("on_time_rate", gettext_lazy("按时办结率"), "rate"),
    Column("late", gettext_lazy("超期办结件数"), "count"),
    Column("late_rate", gettext_lazy("超期办结率"), "rate"),
    Column("suspension_days", gettext_lazy("暂停计时天数"), "count"),
    Column("avg_suspended_days", gettext_lazy("件均暂停天数"), "days"),
    Column("reminders_per_100", gettext_lazy("时限提示/百件"), "per100"),
    Column("alarms_per_100", gettext_lazy("超时报警/百件"), "per100"),
]
# Columns whose non-zero value is bad news (shown in red).
BAD_NEWS = {"late", "late_rate", "alarms_per_100"}


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    column: Column

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if self.column.kind == "count":
            return str(self.value)
        if self.column.kind == "rate":
            return f"{self.value * 100:.1f}%"
        return f"{self.value:.1f}"

    @property
    def css(self) -> str:
        return "bad" if self.column.attr in BAD_NEWS and self.value else ""


@dataclass
class Figures:
    """Sums and counts of a set of completed cases; averages and shares are derived, so rows add up."""

    completed: int = 0
    measured: int = 0  # completed cases whose working days used is known
    used_total: int = 0  # working days used, summed
    statutory_total: int = 0  # statutory limits, summed
    promised_total: int = 0  # promised limits, summed
    early: int = 0
    within_promised: int = 0  # completed within the promised limit
    within_statutory: int = 0  # completed within the statutory limit (按时)
    late: int = 0
    suspended_cases: int = 0
    suspension_days: int = 0
    reminders: int = 0
    alarms: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)})

    @classmethod
    def from_values(cls, values: dict) -> Figures:
        return cls(**{f.name: values.get(f.name) or 0 for f in fields(Figures)})

    @property
    def avg_used(self) -> float | None:
        return _mean(self.used_total, self.measured)

    @property
    def avg_statutory(self) -> float | None:
        return _mean(self.statutory_total, self.measured)

    @property
    def avg_promised(self) -> float | None:
        return _mean(self.promised_total, self.measured)

    @property
    def used_share_of_statutory(self) -> float | None:
        """Working days used as a share of the statutory limit (all cases together)."""
        return _share(self.used_total, self.statutory_total)

    @property
    def early_rate(self) -> float | None:
        return _share(self.early, self.measured)

    @property
    def promised_on_time_rate(self) -> float | None:
        return _share(self.within_promised, self.completed)

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.within_statutory, self.completed)

    @property
    def late_rate(self) -> float | None:
        return _share(self.late, self.completed)

    @property
    def avg_suspended_days(self) -> float | None:
        return _mean(self.suspension_days, self.completed)

    @property
    def reminders_per_100(self) -> float | None:
        return _mean(self.reminders * 100, self.completed)

    @property
    def alarms_per_100(self) -> float | None:
        return _mean(self.alarms * 100, self.completed)

    DERIVED = (
        "avg_used", "avg_statutory", "avg_promised", "used_share_of_statutory", "early_rate",
        "promised_on_time_rate", "on_time_rate", "late_rate", "avg_suspended_days",
        "reminders_per_100", "alarms_per_100",
    )  # fmt: skip

    @property
    def cells(self) -> list[Cell]:
        return [Cell(getattr(self, column.attr), column) for column in COLUMNS]

    @property
    def display(self) -> dict[str, str]:
        """Each column's figure as shown (``figures.display.early_rate`` in a template)."""
        return {cell.column.attr: cell.text for cell in self.cells}

    def as_dict(self) -> dict:
        """Counts, sums and derived figures (rounded) — what the API returns."""
        data = asdict(self)
        for name in self.DERIVED:
            value = getattr(self, name)
            data[name] = None if value is None else round(value, 4)
        return data


@dataclass
class DepartmentRow(Figures):
    department_id: int = 0
    code: str = ""
    name: str = ""
    level: str = ""

    @property
    def level_display(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else self.level


@dataclass
class ItemRow(Figures):
    """One service item, or — for enforcement cases, which have none — one power (by its code)."""

    item_id: int | None = None
    code: str = ""
    name: str = ""
    kind: str = CaseKind.APPLICATION
    department_id: int = 0
    department_name: str = ""

    @property
    def kind_display(self) -> str:
        return str(CaseKind(self.kind).label)


@dataclass
class Report:
    """Everything a page, the export and the printout show for one period and scope."""

    period: Period
    department: Department | None
    level: str
    departments: list[DepartmentRow]
    items: list[ItemRow]
    total: Figures
    comparisons: list[tuple[str, Period, Figures]]
    trend: list[tuple[int, Figures]]  # (month, figures) of the period's year
    generated_at: datetime

    @property
    def level_display(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else ""


# --- the queries -------------------------------------------------------------------------------


def completed_cases(period: Period, *, department=None, level: str = ""):
    """Main cases completed in ``period``, optionally of one department or one level."""
    cases = Case.objects.filter(
        completed_at__gte=period.start, completed_at__lt=period.end, parent__isnull=True
    )
    if department is not None:
        cases = cases.filter(department=department)
    if level:
        cases = cases.filter(department__level=level)
    return cases


def _measures() -> dict:
    limit = Coalesce(F("promised_days"), F("statutory_days"))
    measured = Q(working_days_used__isnull=False)
    return {
        "completed": Count("pk"),
        "measured": Count("working_days_used"),
        "used_total": Sum("working_days_used"),
        "statutory_total": Sum("statutory_days", filter=measured),
        "promised_total": Sum(limit, filter=measured),
        "early": Count("pk", filter=Q(working_days_used__lt=limit)),
        "within_promised": Count("pk", filter=Q(promised_on_time=True)),
        "within_statutory": Count("pk", filter=Q(on_time=True)),
        "late": Count("pk", filter=Q(on_time=False)),
        "suspended_cases": Count("pk", filter=Q(suspended_days__gt=0)),
        "suspension_days": Sum("suspended_days"),
        "reminders": Sum("reminder_count"),
        "alarms": Sum("alarm_count"),
    }


def _with_alerts(cases):
    return cases.annotate(
        reminder_count=alerts.count_per_row(Case, AlertKind.REMINDER),
        alarm_count=alerts.count_per_row(Case, AlertKind.OVERDUE),
    )


def totals(period: Period, *, department=None, level: str = "") -> Figures:
    """The figures of every case in scope together (one query)."""
    cases = _with_alerts(completed_cases(period, department=department, level=level))
    return Figures.from_values(cases.aggregate(**_measures()))


def by_department(period: Period, *, department=None, level: str = "") -> list[DepartmentRow]:
    """One row per department with cases completed in the period, by department code (one query)."""
    cases = _with_alerts(completed_cases(period, department=department, level=level))
    rows = (
        cases.order_by()
        .values("department_id", "department__code", "department__name", "department__level")
        .annotate(**_measures())
        .order_by("department__code")
    )
    return [
        DepartmentRow(
            **asdict(Figures.from_values(row)),
            department_id=row["department_id"],
            code=row["department__code"],
            name=row["department__name"],
            level=row["department__level"],
        )
        for row in rows
    ]


def by_item(period: Period, *, department=None, level: str = "") -> list[ItemRow]:
    """One row per service item (per power for enforcement cases), by department and code (one query)."""
    cases = _with_alerts(completed_cases(period, department=department, level=level))
    rows = (
        cases.order_by()
        .values("department_id", "department__code", "department__name", "kind", "item_id", "power__code")
        .annotate(
            **_measures(),
            item_code=Max("item__code"),
            item_name=Max("item__name"),
            power_name=Max("power__name"),
        )
        .order_by("department__code", "kind", "item_code", "power__code")
    )
    return [
        ItemRow(
            **asdict(Figures.from_values(row)),
            item_id=row["item_id"],
            code=row["item_code"] or row["power__code"],
            name=row["item_name"] or row["power_name"],
            kind=row["kind"],
            department_id=row["department_id"],
            department_name=row["department__name"],
        )
        for row in rows
    ]


def monthly(year: int, *, department=None, level: str = "") -> list[tuple[int, Figures]]:
    """The twelve months of ``year`` (months without completions give empty figures; one query)."""
    cases = _with_alerts(completed_cases(Period(year), department=department, level=level))
    rows = cases.order_by().annotate(m=ExtractMonth("completed_at")).values("m").annotate(**_measures())
    found = {row["m"]: Figures.from_values(row) for row in rows}
    return [(month, found.get(month, Figures())) for month in range(1, 13)]


def report(period: Period, *, department=None, level: str = "", items: bool = True) -> Report:
    """The whole report: departments, items (unless ``items`` is False), comparisons, monthly trend.

    A constant number of queries: one per table, one per compared period, one for the trend.
    """
    departments = by_department(period, department=department, level=level)
    total = sum(departments, Figures())
    return Report(
        period=period,
        department=department,
        level=level,
        departments=departments,
        items=by_item(period, department=department, level=level) if items else [],
        total=total,
        comparisons=[
            (label, other, totals(other, department=department, level=level))
            for label, other in period.comparisons()
        ],
        trend=monthly(period.year, department=department, level=level),
        generated_at=timezone.localtime(),
    )


# --- who sees what, and the filter shared by the pages and the API ------------------------------


def scope_of(user, *, api: bool = False) -> Department | None:
    """None when ``user`` may see every department; their department for a department head.

    Raises PermissionDenied for anyone else (window clerks, handlers, citizens). Through the API,
    integrators (token holders of other platforms) see every department too.
    """
    if has_role(user, *(API_ALL_DEPARTMENTS_ROLES if api else ALL_DEPARTMENTS_ROLES)):
        return None
    if can_open_efficiency(user):  # a department head
        return department_of(user)
    raise PermissionDenied(_("效能分析仅向纪检监察、考评办、系统管理员和部门负责人开放。"))


def year_choices() -> list[tuple[int, int]]:
    """The current year and the five before it (the API accepts any year from FIRST_YEAR)."""
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, this_year - 6, -1)]


class EfficiencyFilter(forms.Form):
    """Year, optional month, level and department. A department head's department is fixed by ``scope``."""

    year = forms.IntegerField(
        label=gettext_lazy("年度"), min_value=FIRST_YEAR, widget=forms.Select(choices=year_choices)
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("月份"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", gettext_lazy("全年"))] + [(m, f"{m}月") for m in range(1, 13)],
    )
    level = forms.ChoiceField(
        label=gettext_lazy("层级"), required=False, choices=[("", gettext_lazy("全部层级")), *Level.choices]
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("单位"),
        required=False,
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        empty_label=gettext_lazy("全部单位"),
    )

    def __init__(self, data=None, *, scope: Department | None = None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)
        if scope is not None:  # a department head's own department, whatever was asked
            data["department"], data["level"] = str(scope.pk), ""
        super().__init__(data, **kwargs)
        self.scope = scope
        if scope is not None:
            self.fields["department"].queryset = Department.objects.filter(pk=scope.pk)
            self.fields["department"].empty_label = None

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("年度不能晚于今年。"))
        return year

    def period(self) -> Period:
        return Period(self.cleaned_data["year"], self.cleaned_data.get("month"))

    def params(self) -> dict:
        """Keyword arguments of the query functions."""
        return {
            "department": self.cleaned_data.get("department"),
            "level": self.cleaned_data.get("level") or "",
        }
