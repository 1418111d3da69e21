"""Pages of the risk-grade catalogue and the risk points' workflow.

Public (no login): the catalogue (风险等级目录), the heat map, a power's risk page with its flowchart
coloured by grade, a confirmed point. Staff: their department's points, declaration and the verbs.
Every state change calls a verb in ``risks.services`` through ``VerbView``.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from portal import actions
from portal.access import RoleRequiredMixin
from portal.actions import Verb
from portal.forms import NoteForm, ReasonForm
from portal.masking import mask_name
from portal.models import Department, Post
from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of
from powers import flowchart as drawing
from powers.models import Flowchart, FlowStep, Power

from . import catalogue, permissions, services
from .choices import GRADE_HEX, Grade, RiskPointStatus, RiskType
from .filtersets import RiskPointFilterSet
from .forms import AdjustScoresForm, RiskPointForm
from .models import Acknowledgement, RiskPoint, RiskPointVersion

STAFF_ROLES = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)
OFFICE_ROLES = (INSPECTOR, ADMINISTRATOR)
PAGE_SIZE = 50


def catalogue_queryset(user):
    return RiskPoint.objects.visible_to(user).select_related("department", "power", "step", "post")


class VerbView(actions.ActionView):
    """A verb of this app on one row (``portal.actions``): the row is found among those the user may see,
    and success and refusals (TransitionError, a ValidationError of a verb without a form) come back to
    its page; form errors show the form again (400)."""

    model = None
    template_name = "risks/action.html"

    def get_object(self):
        return get_object_or_404(self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_success_url(self, result=None):
        target = result if hasattr(result, "get_absolute_url") else self.object
        return target.get_absolute_url()

    def get_failure_url(self):
        return self.object.get_absolute_url()

    def refused(self, exc):
        messages.error(self.request, " ".join(exc.messages))
        return redirect(self.get_failure_url())


# --- public pages --------------------------------------------------------------------------------


class CatalogueView(TemplateView):
    """风险等级目录: confirmed risk points (and, for staff, what they may see), filterable."""

    template_name = "risks/catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = RiskPointFilterSet(self.request.GET, queryset=catalogue_queryset(self.request.user))
        queryset = filterset.qs if filterset.is_valid() else RiskPoint.objects.none()
        page = Paginator(queryset.order_by("department__code", "-grade", "code"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        for point in page.object_list:
            point.shown_responsible = mask_name(point.responsible_name)
        context.update(
            filter=filterset,
            page=page,
            points=page.object_list,
            counts=catalogue.grade_counts(queryset),
            grades=Grade,
            risk_types=RiskType,
            departments=Department.objects.filter(is_active=True).order_by("code").only("code", "name"),
            can_declare=permissions.can_declare(self.request.user, department_of(self.request.user)),
        )
        return context


def _department_from(request):
    code = (request.GET.get("department") or "").strip().upper()
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise Http404(_("没有该单位。"))
    return department


class HeatMapView(TemplateView):
    """Heat map (风险热力图): likelihood × harm for the city or one department (ECharts, vendored)."""

    template_name = "risks/heatmap.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = _department_from(self.request)
        figures = catalogue.heat_map(department)
        rows = {(x, y): n for x, y, n in figures["cells"]}
        scale = figures["scale"]
        context.update(
            department=department,
            figures=figures,
            table=[(y, [rows[(x, y)] for x in scale]) for y in reversed(scale)],
            scale=scale,
            departments=Department.objects.filter(is_active=True).order_by("code").only("code", "name"),
            chart_labels={"likelihood": _("发生可能性"), "harm": _("危害程度"), "points": _("风险点")},
        )
        return context


@require_safe  # GET/HEAD only: a POST is a 405
def heat_map_json(request):
    """The heat map's figures as JSON (the page's chart, big screens, other platforms)."""
    return JsonResponse(catalogue.heat_map(_department_from(request)))


def coloured_flowchart(chart) -> str:
    """The flowchart SVG with each step's border in its highest risk grade's colour (cached)."""
    colours = catalogue.step_colours(chart.power_id)
    fingerprint = hashlib.sha256(repr(sorted(colours.items())).encode()).hexdigest()[:16]
    key = f"risks:flowchart:{drawing.cache_key(chart)}:{fingerprint}"
    svg = cache.get(key)
    if svg is None:
        svg = drawing.draw(chart, colours)
        if svg is not None:
            cache.set(key, svg, drawing.CACHE_SECONDS)
    return svg or drawing.fallback_html(chart)


class PowerRisksView(TemplateView):
    """A power's risk points and its public flowchart coloured by each step's highest risk grade."""

    template_name = "risks/power.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        power = (
            Power.objects.visible_to(self.request.user)
            .filter(code=self.kwargs["code"], is_current=True)
            .select_related("department")
            .first()
        )
        if power is None:
            raise Http404(_("没有找到该权力事项。"))
        steps = Prefetch("steps", queryset=FlowStep.objects.select_related("post").order_by("order"))
        chart = Flowchart.objects.filter(power=power).prefetch_related(steps).first()
        points = list(catalogue_queryset(self.request.user).filter(power=power).order_by("-grade", "code"))
        for point in points:
            point.shown_responsible = mask_name(point.responsible_name)
        grades = catalogue.step_grades(power.pk)
        context.update(
            power=power,
            chart=chart,
            markup=mark_safe(coloured_flowchart(chart)) if chart and chart.steps.all() else "",
            points=points,
            step_rows=[(step, grades.get(step.pk)) for step in (chart.steps.all() if chart else [])],
            legend=[(grade, GRADE_HEX[grade]) for grade in Grade],
        )
        return context


class PointDetailView(TemplateView):
    template_name = "risks/point.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        point = get_object_or_404(catalogue_queryset(user).select_related("matrix"), pk=self.kwargs["pk"])
        insider = permissions.is_office(user) or permissions.is_staff_of(user, point.department)
        context.update(
            point=point,
            insider=insider,
            responsible=point.responsible_name if insider else mask_name(point.responsible_name),
            versions=RiskPointVersion.objects.filter(point=point).order_by("-version", "-id")
            if insider
            else [],
            can={
                "edit": permissions.can_edit(user, point),
                "submit": permissions.can_submit(user, point),
                "confirm": permissions.can_confirm(user, point),
                "return": permissions.can_return(user, point),
                "revise": permissions.can_revise(user, point),
                "adjust": permissions.can_adjust_scores(user, point),
            },
        )
        return context


# --- department staff: declaring ------------------------------------------------------------------


class ManageView(RoleRequiredMixin, TemplateView):
    """The department's risk points in every state (查点工作台)."""

    template_name = "risks/manage.html"
    roles = permissions.MANAGE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queryset = catalogue_queryset(user)
        department = department_of(user)
        if not permissions.is_office(user):
            queryset = queryset.filter(department=department)
        filterset = RiskPointFilterSet(self.request.GET, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(queryset.order_by("status", "code"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            filter=filterset,
            page=page,
            points=page.object_list,
            department=department,
            can_declare=permissions.can_declare(user, department),
            submitted=queryset.filter(status=RiskPointStatus.SUBMITTED).count()
            if permissions.is_office(user)
            else None,
        )
        return context


class PointFormView(RoleRequiredMixin, View):
    """Declare a risk point (no pk) or edit a draft/returned one."""

    roles = STAFF_ROLES
    template_name = "risks/point_form.html"

    def setup_objects(self, request, pk=None):
        if pk is None:
            department = department_of(request.user)
            if department is None or not permissions.can_declare(request.user, department):
                raise Http404(_("您不属于任何单位，不能申报风险点。"))
            return None, department
        point = get_object_or_404(RiskPoint.objects.visible_to(request.user), pk=pk)
        if not permissions.can_edit(request.user, point):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("只有本单位草稿或退回的风险点可以修改。"))
        return point, point.department

    def render_form(self, form, point, department):
        return render(
            self.request, self.template_name, {"form": form, "point": point, "department": department}
        )

    def get(self, request, pk=None):
        point, department = self.setup_objects(request, pk)
        return self.render_form(RiskPointForm(instance=point, department=department), point, department)

    def post(self, request, pk=None):
        point, department = self.setup_objects(request, pk)
        form = RiskPointForm(request.POST, instance=point, department=department)
        if form.is_valid():
            try:
                if point is None:
                    point = services.declare_point(by=request.user, department=department, **form.values())
                else:
                    point = services.update_point(point, by=request.user, **form.values())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("风险点已保存，等级：%(grade)s。") % {"grade": point.get_grade_display()}
                )
                return redirect(point.get_absolute_url())
        return self.render_form(form, point, department)


POINT_VERBS = {
    "submit": Verb(
        gettext_lazy("申报风险点"), None, permissions.can_submit, services.submit_point,
        message=gettext_lazy("已申报，等待纪检监察机关确认。"),
    ),
    "confirm": Verb(
        gettext_lazy("确认风险点"), NoteForm, permissions.can_confirm, services.confirm_point,
        message=gettext_lazy("风险点已确认，列入风险等级目录。"),
    ),
    "return": Verb(
        gettext_lazy("退回风险点"), ReasonForm, permissions.can_return, services.return_point, danger=True,
        message=gettext_lazy("已退回。"),
    ),
    "revise": Verb(
        gettext_lazy("修订风险点"), ReasonForm, permissions.can_revise, services.revise_point,
        message=gettext_lazy("已开启新版本草稿。"),
    ),
    "adjust": Verb(
        gettext_lazy("调整评分"), AdjustScoresForm, permissions.can_adjust_scores, services.adjust_scores,
        message=gettext_lazy("评分已调整，等级已重新评定。"),
    ),
}  # fmt: skip


class SubmitView(VerbView):
    model = RiskPoint
    roles = STAFF_ROLES
    verb = POINT_VERBS["submit"]


class ConfirmView(VerbView):
    model = RiskPoint
    roles = OFFICE_ROLES
    verb = POINT_VERBS["confirm"]


class ReturnView(VerbView):
    model = RiskPoint
    roles = OFFICE_ROLES
    verb = POINT_VERBS["return"]


class ReviseView(VerbView):
    model = RiskPoint
    roles = STAFF_ROLES
    verb = POINT_VERBS["revise"]


class AdjustScoresView(VerbView):
    model = RiskPoint
    roles = OFFICE_ROLES
    verb = POINT_VERBS["adjust"]

    def get_form(self, data=None):
        return AdjustScoresForm(data, initial=self.object.scores)


# --- the power-risk list per post and per person --------------------------------------------------


def _post_list_allowed(user, post) -> bool:
    return permissions.is_office(user) or department_of(user) == post.department


class PostRiskListView(RoleRequiredMixin, TemplateView):
    """权力风险清单 of one post: printable, with a signature line and the acknowledgements."""

    template_name = "risks/post_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        post = get_object_or_404(Post.objects.select_related("department"), pk=self.kwargs["pk"])
        if not _post_list_allowed(user, post):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("只能查看本单位岗位的权力风险清单。"))
        points = (
            RiskPoint.objects.public()
            .filter(post=post)
            .select_related("power", "step")
            .order_by("-grade", "code")
        )
        mine = (
            Acknowledgement.objects.filter(post=post, person=user).first() if user.is_authenticated else None
        )
        context.update(
            post=post,
            points=points,
            acknowledgement=mine,
            can_acknowledge=permissions.can_acknowledge_list(user, post),
            holders=post.holders.select_related("user").order_by("display_name"),
        )
        return context


class AcknowledgeListView(RoleRequiredMixin, View):
    def post(self, request, pk):
        post = get_object_or_404(Post, pk=pk)
        services.acknowledge_list(post, by=request.user)
        messages.success(request, _("已签认本岗位权力风险清单。"))
        return redirect(reverse("risks:post_list", args=[post.pk]))


class MyRiskListView(RoleRequiredMixin, TemplateView):
    """The power-risk list of the logged-in person: every post they hold."""

    template_name = "risks/my_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = getattr(self.request.user, "staff_profile", None)
        posts = list(profile.posts.select_related("department").order_by("code")) if profile else []
        points = (
            RiskPoint.objects.public()
            .filter(post__in=posts)
            .select_related("power", "post")
            .order_by("post", "code")
        )
        acks = {
            a.post_id: a
            for a in Acknowledgement.objects.filter(person=self.request.user).order_by("acknowledged_at")
        }
        context.update(
            posts=[(post, [p for p in points if p.post_id == post.pk], acks.get(post.pk)) for post in posts]
        )
        return context


# --- Excel ------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))


class TemplateDownloadView(RoleRequiredMixin, View):
    roles = STAFF_ROLES

    def get(self, request):
        from . import excel

        department = department_of(request.user)
        if department is None:
            raise Http404(_("您不属于任何单位。"))
        response = HttpResponse(excel.template(department), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="risk-points-template.xlsx"'
        return response


class ImportView(RoleRequiredMixin, View):
    """Upload risk points from the template: all rows or none, with an error report by row."""

    roles = permissions.IMPORT_ROLES
    template_name = "risks/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        from . import excel

        form = ImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            result = excel.import_points(
                form.cleaned_data["file"], by=request.user, department=department_of(request.user)
            )
            if result.ok:
                messages.success(
                    request, _("已导入 %(n)d 个风险点（草稿），请核对后申报。") % {"n": len(result.created)}
                )
                return redirect("risks:manage")
        return render(request, self.template_name, {"form": form, "result": result}, status=200)


class CatalogueExportView(View):
    """The catalogue (same filters as the page) as Excel, formula-safe."""

    def get(self, request):
        from . import excel

        filterset = RiskPointFilterSet(request.GET, queryset=catalogue_queryset(request.user))
        queryset = filterset.qs if filterset.is_valid() else RiskPoint.objects.none()
        content = excel.export_catalogue(queryset.order_by("department__code", "code")[:20000])
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="risk-catalogue.xlsx"'
        return response
