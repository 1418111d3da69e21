"""The inspectors' dashboard pages: /monitoring/, its JSON figures, and the case drill-down lists."""

from datetime import datetime

from django import forms
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView, View

from monitoring import dashboard, health
from monitoring.alerts import with_target_urls
from monitoring.permissions import INSPECTOR_ROLES
from portal.access import RoleRequiredMixin
from portal.choices import Level
from portal.forms import TextField

HEALTH_LABELS = {
    "database": _("数据库"),
    "sweep": _("监察扫描"),
    "broker": _("消息队列"),
    "worker": _("后台任务进程"),
}


def payload(now=None) -> dict:
    """The figures plus the health checks: what the page, figures.json and the API all serve."""
    data = dashboard.figures(now)
    report = health.status()
    data["health"] = {
        "status": report["status"],
        "checks": [
            {"name": name, "label": str(HEALTH_LABELS.get(name, name)), **check}
            for name, check in report["checks"].items()
        ],
    }
    return data


def chart_labels() -> dict:
    """The words dashboard.js writes itself (charts, refreshed tables and health), translated."""
    return {
        "accepted": _("受理"),
        "completed": _("办结"),
        "overdue": _("超期"),
        "reminders": _("黄色预警"),
        "alarms": _("红色报警"),
        "cases_axis": _("件"),
        "alerts_axis": _("预警"),
        "no_alarms": _("暂无待处理红色报警"),
        "no_rows": _("暂无在办件和待处理预警。"),
        "ok": _("正常"),
        "error": _("异常"),
        "unknown": _("未知"),
        "never_ran": _("从未运行"),
        "last_sweep": _("上次扫描 {age} 秒前"),
        "heartbeat": _("心跳 {age} 秒前"),
        "no_heartbeat": _("本机未见后台任务心跳"),
    }


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@method_decorator(never_cache, name="dispatch")
class DashboardView(RoleRequiredMixin, TemplateView):
    roles = INSPECTOR_ROLES

    template_name = "monitoring/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = payload()
        context["figures"] = figures
        context["periods"] = [
            {
                "key": key,
                "rate_text": percent(figures["periods"][key]["on_time_rate"]),
                **figures["periods"][key],
            }
            for key in dashboard.PERIODS
        ]
        context["generated_at"] = timezone.localtime(datetime.fromisoformat(figures["generated_at"]))
        context["refresh_seconds"] = 30
        context["labels"] = {key: str(value) for key, value in chart_labels().items()}
        return context


class FiguresView(RoleRequiredMixin, View):
    """/monitoring/figures.json: what dashboard.js polls."""

    roles = INSPECTOR_ROLES

    @method_decorator(never_cache)
    def get(self, request):
        return JsonResponse(payload(), json_dumps_params={"ensure_ascii": False})


class DrilldownForm(forms.Form):
    metric = forms.ChoiceField(label=_("指标"), choices=list(dashboard.METRICS.items()))
    period = forms.ChoiceField(
        label=_("期间"), choices=[("", "—"), *dashboard.PERIODS.items()], required=False
    )
    department = TextField(label=_("单位编码"), required=False, max_length=32)
    level = forms.ChoiceField(label=_("层级"), choices=[("", "—"), *Level.choices], required=False)


class CaseDrilldownView(RoleRequiredMixin, ListView):
    """The case timers behind one dashboard number, each linked to its case's trail."""

    roles = INSPECTOR_ROLES

    template_name = "monitoring/case_drilldown.html"
    context_object_name = "timers"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.form = DrilldownForm(request.GET)
        if not self.form.is_valid():
            reasons = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.form.errors.items())
            return HttpResponseBadRequest(
                f"{_('下钻参数有误')}: {reasons}", content_type="text/plain; charset=utf-8"
            )
        self.now = timezone.now()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.form.cleaned_data
        return dashboard.drilldown(
            data["metric"],
            data["period"] or None,
            department=data["department"],
            level=data["level"],
            now=self.now,
        )

    @staticmethod
    def period_label(data) -> str:
        if data["period"]:
            return dashboard.PERIODS[data["period"]]
        return "" if data["metric"] in ("in_progress", "overdue") else dashboard.PERIODS["today"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        timers = with_target_urls(context["page_obj"].object_list)
        for timer in timers:
            timer.late_by = dashboard.late_by(timer, self.now)
            timer.late_days = timer.late_by.days if timer.late_by else None
            timer.late_hours = timer.late_by.seconds // 3600 if timer.late_by else None
        data = self.form.cleaned_data
        context.update(
            timers=timers,
            metric_label=dashboard.METRICS[data["metric"]],
            period_label=self.period_label(data),
            metric=data["metric"],
            level_label=Level(data["level"]).label if data["level"] else "",
            department_code=data["department"],
            now=self.now,
        )
        return context
