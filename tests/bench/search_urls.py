"""The portal's URLs plus the baselines of bench_search.py: plain Django views over the same rows."""

from django.db.models import Q
from django.http import JsonResponse
from django.urls import path

from approvals.models import ServiceItem
from portal.urls import handler403  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns
from powers.models import DiscretionStandard, Power

FIELDS = ("code", "version", "name", "category", "status", "department__code", "department__name")


def plain_powers(request):
    """What /api/v1/powers/?q= answers, written by hand: ``LIKE`` on the name, 50 rows as dicts."""
    q = request.GET.get("q", "")
    rows = list(
        Power.objects.filter(is_current=True, status__in=["published", "superseded"], name__contains=q)
        .order_by("code", "-version")
        .values(*FIELDS)[:50]
    )
    return JsonResponse({"results": rows})


def plain_search(request):
    """What /api/v1/search/ answers, by a plain scan: counts of three kinds and the first 20 powers."""
    q = request.GET.get("q", "")
    powers = (
        Power.objects.filter(status="published")
        .filter(
            Q(name__contains=q)
            | Q(code__icontains=q)
            | Q(subject__contains=q)
            | Q(legal_articles__document__title__contains=q)
            | Q(legal_articles__text__contains=q)
        )
        .distinct()
    )
    standards = DiscretionStandard.objects.filter(power__status="published").filter(
        Q(title__contains=q) | Q(fact_label__contains=q) | Q(power__name__contains=q)
    )
    items = ServiceItem.objects.filter(is_active=True).filter(
        Q(name__contains=q) | Q(code__icontains=q) | Q(power__name__contains=q)
    )
    body = {
        "counts": [powers.count(), standards.count(), items.count()],
        "results": list(powers.order_by("code").values("code", "name")[:20]),
    }
    return JsonResponse(body)


urlpatterns = [
    path("bench/plain/powers/", plain_powers),
    path("bench/plain/search/", plain_search),
    *portal_urlpatterns,
]
