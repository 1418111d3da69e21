"""The hall's display screen (大厅显示屏): today's figures of the service centre, computed in a few queries.

``figures(now)`` is one grouped count per measure (accepted today, completed today, waiting at the
window) over indexed columns, the windows, the year's on-time rate from monitoring's dashboard (which
caches its history) and the newest publications; the result is cached for ``SCREEN_SECONDS`` so any
number of screens and browsers cost the database the same.
"""

from collections import defaultdict
from datetime import datetime, time

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from monitoring import dashboard

from .choices import INTAKE_STATUSES, CaseKind
from .models import Case, ResultDisclosure, Window

SCREEN_SECONDS = 15
RECENT_RESULTS = 6
CACHE_KEY = "approvals.screen.v1"


def _by_department(queryset) -> dict[int, int]:
    return dict(queryset.values_list("department").annotate(n=Count("id")).values_list("department", "n"))


def compute(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    applications = Case.objects.filter(kind=CaseKind.APPLICATION, parent__isnull=True)
    accepted = _by_department(applications.filter(accepted_on=today))
    completed = _by_department(applications.filter(completed_at__gte=midnight))
    waiting = _by_department(applications.filter(status__in=INTAKE_STATUSES))
    # A department's own windows show its figures; the general windows (no department) show the rest.
    own, general = defaultdict(list), []
    names = {}
    for window in Window.objects.filter(is_active=True, is_fee_window=False).select_related("department"):
        if window.department_id is None:
            general.append(window)
        else:
            own[window.department_id].append(window.number)
            names[window.department_id] = window.department.short_name or window.department.name

    def row(numbers, label, departments):
        return {
            "windows": "、".join(sorted(numbers, key=lambda n: (len(n), n))),
            "department": label,
            "accepted": sum(accepted.get(d, 0) for d in departments),
            "completed": sum(completed.get(d, 0) for d in departments),
            "waiting": sum(waiting.get(d, 0) for d in departments),
        }

    rows = [row(numbers, names[dept], [dept]) for dept, numbers in own.items()]
    if general:
        rest = (set(accepted) | set(completed) | set(waiting)) - set(own)
        rows.append(row([w.number for w in general], "、".join(w.name for w in general), rest))
    rows.sort(key=lambda r: (len(r["windows"].split("、")[0]), r["windows"]))
    year = dashboard.figures(now)["periods"]["year"]
    recent = (
        ResultDisclosure.objects.public()
        .filter(withdrawn_at__isnull=True)
        .select_related("department")
        .order_by("-published_at", "-id")[:RECENT_RESULTS]
    )
    return {
        "generated_at": timezone.localtime(now).strftime("%H:%M:%S"),
        "date": today.isoformat(),
        "accepted_today": sum(accepted.values()),
        "completed_today": sum(completed.values()),
        "waiting": sum(waiting.values()),
        "on_time_rate": year["on_time_rate"],
        "year_completed": year["completed"],
        "windows": rows,
        "results": [
            {
                "number": r.decision_number,
                "matter": r.matter,
                "party": r.party_name,
                "result": r.result,
                "department": r.department.short_name or r.department.name,
            }
            for r in recent
        ],  # fmt: skip
    }


def figures() -> dict:
    data = cache.get(CACHE_KEY)
    if data is None:
        data = compute()
        cache.set(CACHE_KEY, data, SCREEN_SECONDS)
    return data
