from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from monitoring import health
from monitoring.alerts import with_target_urls
from monitoring.choices import AlertState
from monitoring.filtersets import AlertFilterSet
from monitoring.models import Alert
from monitoring.permissions import INSPECTOR_ROLES
from portal.access import RoleRequiredMixin


class AlertListView(RoleRequiredMixin, ListView):
    """Open alerts (待处理 and 已签收) for inspectors, filtered by AlertFilterSet; each links to its target."""

    roles = INSPECTOR_ROLES

    template_name = "monitoring/alert_list.html"
    context_object_name = "alerts"
    paginate_by = 50

    def get_queryset(self):
        queryset = Alert.objects.visible_to(self.request.user).select_related("department", "timer")
        self.filterset = AlertFilterSet(self.request.GET, queryset=queryset)
        queryset = self.filterset.qs
        if not self.request.GET.get("state"):  # by default only what still asks for attention
            queryset = queryset.unresolved()
        return queryset.order_by("-raised_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alerts"] = with_target_urls(context["page_obj"].object_list)
        context["filter"] = self.filterset
        context["sweep"] = health.check_sweep()  # a stalled sweep is an alarm of its own
        context["states"] = AlertState
        return context


@never_cache
@require_safe  # GET/HEAD only: a POST is a 405, not a health report
def health_view(request):
    """JSON health for load balancers and monitoring systems: 200 when everything is ok, else 503."""
    report = health.status()
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503)
