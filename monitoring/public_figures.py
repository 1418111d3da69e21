"""What the citizens' home page shows of the service centre's work: from the dashboard's own figures.

Registered with ``portal.figures`` in ready(); the dashboard's history is cached, so this costs a few
index-only counts whatever the number of cases.
"""

from django.utils.translation import gettext_lazy as _

from portal.figures import Figure

from . import dashboard


def home_figures() -> list[Figure]:
    periods = dashboard.figures()["periods"]
    today, year = periods["today"], periods["year"]
    rate = year["on_time_rate"]
    return [
        Figure("accepted_today", _("今日受理办件"), today["accepted"], _("件")),
        Figure("completed_today", _("今日办结办件"), today["completed"], _("件")),
        Figure("accepted_year", _("本年受理办件"), year["accepted"], _("件")),
        Figure("completed_year", _("本年办结办件"), year["completed"], _("件")),
        Figure("on_time_rate", _("本年按时办结率"), None if rate is None else round(rate * 100, 1), "%"),
    ]
