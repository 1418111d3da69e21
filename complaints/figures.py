"""Public figures of the complaint platform for the home page (counts only, no personal data).

    public_figures(now=None) -> {"received_today", "closed_today", "received_year", "closed_year",
                                 "satisfaction_rate"}

One aggregate query; ``satisfaction_rate`` is percent over the year's rated complaints (None if none).
"""

from datetime import datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from .choices import SATISFIED_VALUES, ComplaintState
from .models import Complaint


def public_figures(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_start = timezone.make_aware(datetime.combine(today, time.min))
    year_start = timezone.make_aware(datetime.combine(today.replace(month=1, day=1), time.min))
    row = (
        Complaint.objects.exclude(state=ComplaintState.MERGED)
        .filter(Q(received_at__gte=year_start) | Q(closed_at__gte=year_start))
        .aggregate(
            received_today=Count("pk", filter=Q(received_at__gte=day_start)),
            closed_today=Count("pk", filter=Q(closed_at__gte=day_start)),
            received_year=Count("pk", filter=Q(received_at__gte=year_start)),
            closed_year=Count("pk", filter=Q(closed_at__gte=year_start)),
            rated=Count("pk", filter=Q(rated_at__gte=year_start)),
            satisfied=Count("pk", filter=Q(rated_at__gte=year_start, satisfaction__in=SATISFIED_VALUES)),
        )
    )
    rated = row.pop("rated")
    satisfied = row.pop("satisfied")
    row["satisfaction_rate"] = round(100.0 * satisfied / rated, 1) if rated else None
    return row


def home_figures():
    """The home page's complaint figures (registered with ``portal.figures``)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from portal.figures import Figure

    row = public_figures()
    url = reverse("complaints:submit")
    return [
        Figure("complaints_year", _("本年受理投诉"), row["received_year"], _("件"), url),
        Figure("complaints_closed_year", _("本年办结投诉"), row["closed_year"], _("件")),
        Figure("complaints_satisfaction", _("投诉人满意率"), row["satisfaction_rate"], "%"),
    ]
