"""Pages of the power list: the public catalogue ("five publics") and the staff workbench.

Public pages need no login and show what ``Power.objects.visible_to(user)``
allows. Staff pages change state only through the verbs in services.py; a
refused verb becomes a 403 page (PermissionDenied) or a form error / message
(ValidationError, TransitionError), and every success redirects (POST/redirect/GET).
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal import actions, search
from portal.access import RoleRequiredMixin
from portal.api.fields import choice_labels
from portal.choices import Level
from portal.forms import PlainSelect, ReasonForm, attach_errors
from portal.models import AuditEvent, Department
from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    LEGAL_REVIEWER,
    department_of,
    has_role,
)
from portal.services import TransitionError

from . import discretion, permissions, services
from . import flowchart as drawing
from .choices import CODE_REGEX, EDITABLE_STATUSES, HISTORY_STATUSES, Category, PowerStatus, TimeLimitUnit
from .filtersets import Q_MAX_LENGTH, PowerFilterSet
from .forms import (
    ApproveForm,
    BandFormSet,
    CalculatorForm,
    DelegationForm,
    FlowchartNoteForm,
    FlowStepFormSet,
    MergeForm,
    PowerForm,
    StandardForm,
    band_initial,
    department_posts,
    flowstep_initial,
)
from .models import PUBLIC_STATUSES, DiscretionStandard, Flowchart, FlowStep, Power

CODE_RE = re.compile(CODE_REGEX)
# Audit verbs of powers/services.py as staff read them in a power's trail.
VERB_LABELS = {
    "power.declare": gettext_lazy("申报"),
    "power.update": gettext_lazy("修改申报内容"),
    "power.submit": gettext_lazy("提交法制审核"),
    "power.approve": gettext_lazy("法制审核通过"),
    "power.return": gettext_lazy("退回"),
    "power.publish": gettext_lazy("确认公布"),
    "power.flowchart": gettext_lazy("编辑流程图"),
    "power.standard": gettext_lazy("编辑裁量基准"),
    "power.standard_remove": gettext_lazy("删除裁量基准"),
    "power.propose_revision": gettext_lazy("提出修订"),
    "power.propose_delegation": gettext_lazy("提出下放"),
    "power.propose_merger": gettext_lazy("提出合并"),
    "power.superseded": gettext_lazy("被新版本替代"),
    "power.abolished": gettext_lazy("废止"),
    "power.delegated": gettext_lazy("下放，停止行使"),
    "power.merged": gettext_lazy("合并，停止行使"),
}
PAGE_SIZE = 20


# --- public pages ------------------------------------------------------------------------


def _department_choices():
    """Departments grouped by level for the filter's select: one query."""
    groups = {level: [] for level, _label in Level.choices}
    for code, name, level in Department.objects.filter(is_active=True).values_list("code", "name", "level"):
        groups.setdefault(level, []).append((code, name))
    return [("", _("全部单位"))] + [(Level(level).label, rows) for level, rows in groups.items() if rows]


# A query's matches are listed by id (searched once per page) up to this many.
MATCHED_LISTED = 5000


class PowerListView(View):
    """权力清单: filter by department, category, level (and status for staff), search, page through."""

    template_name = "powers/power_list.html"

    def get(self, request):
        user = request.user
        data = request.GET.copy()
        base = Power.objects.visible_to(user)
        if not data.get("status"):
            base = base.filter(status=PowerStatus.PUBLISHED)  # the public list shows what may be exercised
        # The search runs once: the page's rows, its count and the category counts reuse its ids.
        query = (data.get("q") or "").strip()
        matched = None
        if query and len(query) <= Q_MAX_LENGTH:
            found = PowerFilterSet.matching(base, query).order_by().values_list("pk", flat=True)
            matched = list(found[: MATCHED_LISTED + 1])
            if len(matched) > MATCHED_LISTED:  # too many to list by id: the filters search in SQL
                matched = None
        filterset = PowerFilterSet(
            data, queryset=base.with_public_relations(), request=request, matched=matched
        )
        fields = filterset.form.fields
        fields["department"].widget = PlainSelect(choices=_department_choices())
        fields["department"].label = _("实施主体")
        for name, everything in (
            ("category", _("全部类别")),
            ("level", _("全部层级")),
            ("status", _("已确认公布（默认）")),
        ):
            fields[name].empty_label = everything
            fields[name].choices = [c for c in fields[name].choices if c[0] != ""]  # re-binds the iterator
        for name in ("category", "level", "status", "versions"):
            fields[name].widget = PlainSelect(choices=fields[name].choices)
        valid = filterset.is_valid()
        if valid:
            rows = filterset.qs.order_by("code", "-version")
            without_category = data.copy()
            without_category.pop("category", None)
            facet_qs = PowerFilterSet(without_category, queryset=base, request=request, matched=matched).qs
            counts = dict(facet_qs.order_by().values_list("category").annotate(n=Count("pk")))
        else:
            rows, counts = Power.objects.none(), {}
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        categories, levels, units = (
            choice_labels(Category),
            choice_labels(Level),
            choice_labels(TimeLimitUnit),
        )
        for power in page.object_list:  # labels looked up once per page, not a lazy translation per cell
            power.category_label = categories.get(power.category, power.category)
            power.level_label = levels.get(power.department.level, power.department.level)
            power.unit_label = units.get(power.time_limit_unit, power.time_limit_unit)
            power.detail_url = search.url_with_code("powers:detail", power.code)
        selected = filterset.form.cleaned_data.get("category") if valid else ""
        facets = [
            {"value": value, "label": label, "count": counts.get(value, 0), "selected": value == selected}
            for value, label in Category.choices
        ]
        context = {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "facets": facets,
            "facet_total": sum(counts.values()),
            "show_staff_filters": permissions.sees_staff_filters(user),
            "query": data.get("q", ""),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


def _versions(user, code):
    """Every version of a code the user may see, newest first, with what the history table shows."""
    if not CODE_RE.match(code):
        raise Http404(_("统一编码格式不正确。"))
    related = ["department", "successor", "successor__department", "predecessor", "predecessor__department"]
    rows = list(
        Power.objects.visible_to(user).filter(code=code).select_related(*related).order_by("-version")
    )
    if not rows:
        raise Http404(_("没有找到该权力事项。"))
    for row in rows:
        # A pending successor (draft, under review) is announced only to those who may see it.
        successor = row.successor
        row.shown_successor = (
            successor
            if successor and (successor.status in PUBLIC_STATUSES or permissions.can_manage(user, successor))
            else None
        )
    return rows


def _pick_version(request, rows):
    wanted = request.GET.get("version", "")
    if wanted:
        for row in rows:
            if str(row.version) == wanted:
                return row
        raise Http404(_("没有该版本。"))
    current = [row for row in rows if row.is_current]
    if current:
        return current[0]
    public = [row for row in rows if row.status in PUBLIC_STATUSES]
    return (public or rows)[0]


def _flowchart_of(power):
    steps = Prefetch("steps", queryset=FlowStep.objects.select_related("post").order_by("order"))
    chart = Flowchart.objects.filter(power=power).prefetch_related(steps).first()
    if chart is not None:
        chart.power = power  # the cache key uses the power's updated_at
    return chart


def _calculate(request, standards):
    """The discretion calculator through GET (?standard=<id>&fact=<n>): works without JavaScript."""
    if "standard" not in request.GET:
        return None, None
    form = CalculatorForm(request.GET)
    if not form.is_valid():
        return form, None
    by_id = {s.pk: s for s in standards}
    standard = by_id.get(form.cleaned_data["standard"])
    if standard is None:
        form.add_error(None, _("该裁量基准不属于本事项。"))
        return form, None
    try:
        result = discretion.calculate(list(standard.bands.all()), form.cleaned_data["fact"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return form, None
    return form, result


class PowerDetailView(View):
    """The "five publics" (五公开) of one power: basis, object, procedure, time limit, result; and its history."""

    template_name = "powers/power_detail.html"

    def get(self, request, code):
        rows = _versions(request.user, code)
        power = _pick_version(request, rows)
        articles = power.legal_articles.select_related("document").order_by("document__code", "number")
        standards = list(
            power.standards.select_related("article", "article__document")
            .prefetch_related("bands")
            .order_by("id")
        )
        chart = _flowchart_of(power)
        calc_form, calc_result = _calculate(request, standards)
        calc_standard = calc_form.cleaned_data.get("standard") if calc_form is not None else None
        origins = (
            Power.objects.visible_to(request.user)
            .filter(successor__code=code)
            .exclude(code=code)
            .select_related("department")
            .order_by("code")
        )
        context = {
            "power": power,
            "versions": rows,
            "current": next((r for r in rows if r.is_current), None),
            "origins": list(origins),
            "articles": list(articles),
            "flowchart": chart,
            "flowchart_markup": mark_safe(drawing.render_svg(chart)) if chart and chart.steps.all() else "",
            "standards": standards,
            "calc_form": calc_form,
            "calc_result": calc_result,
            "calc_standard": calc_standard,
            # Errors that belong to no standard on the page (an unknown or malformed standard id).
            "calc_errors": [m for errors in calc_form.errors.values() for m in errors]
            if calc_form is not None and calc_standard not in {s.pk for s in standards}
            else [],
            "is_history": power.status in HISTORY_STATUSES,
            "is_unpublished": power.status not in PUBLIC_STATUSES,
            "can_manage": permissions.can_manage(request.user, power),
        }
        return render(request, self.template_name, context)


class FlowchartSvgView(View):
    """The flowchart picture alone (image/svg+xml), cached by power pk and updated_at."""

    def get(self, request, code):
        power = _pick_version(request, _versions(request.user, code))
        chart = _flowchart_of(power)
        if chart is None or not chart.steps.all():
            raise Http404(_("该事项尚无流程图。"))
        svg = drawing.cached_svg(chart)
        if svg is None:
            return HttpResponse(
                _("流程图暂时无法绘制，请查看页面中的文字版流程。"),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(
            '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="{power.code}.svg"'
        return response


# --- staff pages ---------------------------------------------------------------------------


class StaffView(RoleRequiredMixin, View):
    """The power-list staff pages: ``roles`` by portal.access; a page opened on a non-draft goes back."""

    roles = permissions.STAFF_ROLES
    denied_message = gettext_lazy("您没有权限访问权力事项管理。")

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotEditable as exc:
            messages.error(request, str(exc))
            return redirect(manage_url(exc.power))

    def get_power(self, pk) -> Power:
        power = get_object_or_404(Power.objects.select_related("department"), pk=pk)
        if not Power.objects.visible_to(self.request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("这不是本单位的权力事项。"))
        return power

    def get_editable(self, pk) -> Power:
        """A draft the user may edit: 403 for other departments' staff, back to the power for a non-draft."""
        power = self.get_power(pk)
        if not permissions.can_manage(self.request.user, power):
            raise PermissionDenied(_("只有本单位工作人员可以修改本单位的权力事项。"))
        if power.status not in EDITABLE_STATUSES:
            raise NotEditable(power)
        return power


class NotEditable(Exception):
    """A page for editing drafts was opened on a version that is not a draft."""

    def __init__(self, power):
        self.power = power
        super().__init__(
            _("「%(status)s」的事项不能直接修改；已公布的事项请先提出修订。")
            % {"status": power.get_status_display()}
        )


def manage_url(power):
    return reverse("powers:manage_power", args=[power.pk])


class WorkbenchView(StaffView):
    """The staff workbench: the department's declarations by status, the legal review queue, the publish queue."""

    template_name = "powers/manage/workbench.html"
    TABS = [
        PowerStatus.DRAFT,
        PowerStatus.RETURNED,
        PowerStatus.SUBMITTED,
        PowerStatus.APPROVED,
        PowerStatus.PUBLISHED,
    ]

    def get(self, request):
        user = request.user
        department = department_of(user)
        context = {"department": department, "sections": []}
        listed = Power.objects.select_related("department").order_by("-updated_at")
        if has_role(user, DEPT_HANDLER, DEPT_HEAD) and department is not None:
            mine = Power.objects.filter(department=department)
            counts = dict(mine.order_by().values_list("status").annotate(n=Count("pk")))
            tab = request.GET.get("status") or PowerStatus.DRAFT
            if tab not in PowerStatus.values:
                tab = PowerStatus.DRAFT
            context["tabs"] = [
                {"value": s, "label": PowerStatus(s).label, "count": counts.get(s, 0), "selected": s == tab}
                for s in [*self.TABS, *sorted(HISTORY_STATUSES)]
                if s in self.TABS or counts.get(s)
            ]
            context["tab_label"] = PowerStatus(tab).label
            context["department_page"] = Paginator(
                listed.filter(department=department, status=tab), PAGE_SIZE
            ).get_page(request.GET.get("page"))
        if has_role(user, LEGAL_REVIEWER):
            context["review_queue"] = list(
                listed.filter(status=PowerStatus.SUBMITTED).order_by("updated_at")[:100]
            )
        if has_role(user, ADMINISTRATOR):
            context["publish_queue"] = list(
                listed.filter(status=PowerStatus.APPROVED).order_by("updated_at")[:100]
            )
        context["can_declare"] = permissions.can_declare(user)
        return render(request, self.template_name, context)


class ManagePowerView(StaffView):
    """One version as staff see it, with the actions its status and the user's role allow."""

    template_name = "powers/manage/power.html"

    def get(self, request, pk):
        power = self.get_power(pk)
        user = request.user
        chart = _flowchart_of(power)
        editable = permissions.can_edit(user, power)
        events = list(AuditEvent.objects.visible_to(user).for_object(power).order_by("-id")[:50])
        for event in events:
            event.label = VERB_LABELS.get(event.verb, event.verb)
        context = {
            "power": power,
            "articles": power.legal_articles.select_related("document").order_by("document__code", "number"),
            "flowchart": chart,
            "steps": list(chart.steps.all()) if chart else [],
            "standards": power.standards.prefetch_related("bands").order_by("id"),
            "editable": editable,
            "approve_form": ApproveForm(),
            "return_form": ReasonForm(),
            "events": events,
        }
        return render(request, self.template_name, context)


class PowerFormView(StaffView):
    """Declare a new power (申报) or edit a draft. "检索法条" re-renders the form with matching articles."""

    template_name = "powers/manage/power_form.html"
    roles = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)

    def get_instance(self, pk):
        return None if pk is None else self.get_editable(pk)

    def make_form(self, power, **kwargs):
        user = self.request.user
        department = power.department if power else department_of(user)
        choose = power is None and has_role(user, ADMINISTRATOR)
        if power is None and department is None and not choose:
            raise PermissionDenied(_("您的账号未关联单位，不能申报权力事项。"))
        return PowerForm(instance=power, department=department, choose_department=choose, **kwargs)

    def render_form(self, power, form):
        return render(self.request, self.template_name, {"power": power, "form": form})

    def get(self, request, pk=None):
        power = self.get_instance(pk)
        return self.render_form(power, self.make_form(power))

    def post(self, request, pk=None):
        power = self.get_instance(pk)
        if "search_articles" in request.POST:
            # Only refresh the article choices: an unbound form keeps what was typed without showing errors.
            initial = {
                k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "legal_articles")
            }
            initial["legal_articles"] = request.POST.getlist("legal_articles")
            return self.render_form(power, self.make_form(power, initial=initial))
        form = self.make_form(power, data=request.POST)
        if form.is_valid():
            fields = form.service_fields()
            articles = list(form.cleaned_data["legal_articles"])
            try:
                if power is None:
                    department = form.cleaned_data.get("department") or department_of(request.user)
                    power = services.declare_power(
                        by=request.user, department=department, legal_articles=articles, **fields
                    )
                    messages.success(
                        request,
                        _("已申报草稿 %(code)s，请补充流程图和裁量基准后提交审核。") % {"code": power.code},
                    )
                else:
                    services.update_draft(power, by=request.user, legal_articles=articles, **fields)
                    messages.success(request, _("已保存 %(code)s。") % {"code": power.code})
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                return redirect(manage_url(power))
        return self.render_form(power, form)


class FlowchartFormView(StaffView):
    """Edit a draft's flowchart: a formset of steps (add, remove, reorder) saved by services.save_flowchart."""

    template_name = "powers/manage/flowchart_form.html"
    roles = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)

    def forms_for(self, power, data=None):
        chart = _flowchart_of(power)
        posts = department_posts(power.department)
        if data is None:
            note = FlowchartNoteForm(initial={"note": chart.note if chart else ""})
            formset = FlowStepFormSet(initial=flowstep_initial(chart), posts=posts, prefix="steps")
        else:
            note = FlowchartNoteForm(data)
            formset = FlowStepFormSet(data, posts=posts, prefix="steps")
        return note, formset

    def render_forms(self, power, note, formset):
        return render(
            self.request, self.template_name, {"power": power, "note_form": note, "formset": formset}
        )

    def get(self, request, pk):
        power = self.get_editable(pk)
        return self.render_forms(power, *self.forms_for(power))

    def post(self, request, pk):
        power = self.get_editable(pk)
        note, formset = self.forms_for(power, request.POST)
        if note.is_valid() and formset.is_valid():
            try:
                services.save_flowchart(
                    power, by=request.user, steps=formset.steps(), note=note.cleaned_data["note"]
                )
            except ValidationError as exc:
                attach_errors(note, exc)
            else:
                messages.success(request, _("流程图已保存（%(n)s 个环节）。") % {"n": len(formset.steps())})
                return redirect(manage_url(power))
        return self.render_forms(power, note, formset)


class StandardFormView(StaffView):
    """Create or edit a discretion standard of a draft with its graded bands."""

    template_name = "powers/manage/standard_form.html"
    roles = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)

    def objects(self, pk, standard_pk):
        power = self.get_editable(pk)
        standard = get_object_or_404(DiscretionStandard, pk=standard_pk, power=power) if standard_pk else None
        return power, standard

    def render_forms(self, power, standard, form, bands):
        context = {"power": power, "standard": standard, "form": form, "bands": bands}
        return render(self.request, self.template_name, context)

    def get(self, request, pk, standard_pk=None):
        power, standard = self.objects(pk, standard_pk)
        form = StandardForm(instance=standard, power=power)
        bands = BandFormSet(initial=band_initial(standard), prefix="bands")
        return self.render_forms(power, standard, form, bands)

    def post(self, request, pk, standard_pk=None):
        power, standard = self.objects(pk, standard_pk)
        form = StandardForm(request.POST, instance=standard, power=power)
        bands = BandFormSet(request.POST, prefix="bands")
        if form.is_valid() and bands.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.save_standard(
                    power, by=request.user, standard=standard, bands=bands.bands(), **fields
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("裁量基准「%(title)s」已保存。") % {"title": fields["title"]})
                return redirect(manage_url(power) + "#standards")
        return self.render_forms(power, standard, form, bands)


# --- actions: one verb each ------------------------------------------------------------------


class ActionView(StaffView, actions.ActionView):
    """One verb per subclass (portal.actions): GET shows the form alone; errors re-render it (status 200);
    a refusal of a verb without a form comes back as a message on the power's page; success redirects
    to the power the verb returned."""

    template_name = "powers/manage/action.html"
    object_context_name = "power"
    form_error_status = 200
    form_class = None
    title = ""
    danger = False

    def get_object(self):
        return self.get_power(self.kwargs["pk"])

    def get_form(self, data=None):
        return self.form_class(data) if self.form_class else None

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, danger=self.danger, **kwargs)

    def perform(self, power, data) -> Power:
        raise NotImplementedError

    def success_message(self, power, result) -> str:
        raise NotImplementedError

    def call_verb(self, form):
        return self.perform(self.object, form.cleaned_data if form is not None else {})

    def get_success_message(self, result):
        return self.success_message(self.object, result)

    def get_success_url(self, result=None):
        return manage_url(result)

    def transition_error(self, form, exc):
        if form is None:
            return self.refused(exc)
        form.add_error(None, str(exc))
        return self.render_form(form, status=self.form_error_status)

    def refused(self, exc):
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(self.request, message)
        return redirect(manage_url(self.object))


class SubmitView(ActionView):
    title = gettext_lazy("提交法制审核")

    def perform(self, power, data):
        return services.submit_power(power, by=self.request.user)

    def success_message(self, power, result):
        return _("%(code)s 已提交法制审核。") % {"code": power.code}


class ApproveView(ActionView):
    form_class = ApproveForm
    title = gettext_lazy("法制审核通过")
    roles = (LEGAL_REVIEWER,)

    def perform(self, power, data):
        return services.approve_power(power, by=self.request.user, note=data["note"])

    def success_message(self, power, result):
        return _("%(code)s 法制审核通过，已转政府确认公布。") % {"code": power.code}


class ReturnView(ActionView):
    form_class = ReasonForm
    title = gettext_lazy("退回并说明理由")
    submit_label = gettext_lazy("退回")
    danger = True
    roles = (LEGAL_REVIEWER, ADMINISTRATOR)

    def perform(self, power, data):
        return services.return_power(power, by=self.request.user, reason=data["reason"])

    def success_message(self, power, result):
        return _("%(code)s 已退回申报单位。") % {"code": power.code}


class PublishView(ActionView):
    title = gettext_lazy("确认公布")
    roles = (ADMINISTRATOR,)

    def perform(self, power, data):
        return services.publish_power(power, by=self.request.user)

    def success_message(self, power, result):
        return _("%(code)s 已确认公布。") % {"code": power.code}


class ReviseView(ActionView):
    form_class = ReasonForm
    title = gettext_lazy("提出修订")
    submit_label = gettext_lazy("生成修订草稿")
    roles = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)

    def allowed(self, power):
        if not permissions.can_manage(self.request.user, power):
            raise PermissionDenied(_("只有本单位工作人员可以修订本单位的权力事项。"))

    def perform(self, power, data):
        return services.propose_revision(power, by=self.request.user, reason=data["reason"])

    def success_message(self, power, result):
        return _("已生成 %(code)s 第%(version)s版修订草稿，修改后提交审核。") % {
            "code": result.code,
            "version": result.version,
        }


class DelegateView(ReviseView):
    form_class = DelegationForm
    title = gettext_lazy("下放至下级单位")
    submit_label = gettext_lazy("生成下放草稿")

    def get_form(self, data=None):
        return DelegationForm(data, power=self.object)

    def perform(self, power, data):
        return services.propose_delegation(
            power, by=self.request.user, to_department=data["to_department"], reason=data["reason"]
        )

    def success_message(self, power, result):
        return _("已生成下放草稿 %(code)s（%(department)s），经审核公布后原事项停止行使。") % {
            "code": result.code,
            "department": result.department.name,
        }


class AbolishView(ActionView):
    form_class = ReasonForm
    title = gettext_lazy("废止权力事项")
    submit_label = gettext_lazy("废止")
    danger = True
    roles = (ADMINISTRATOR,)

    def perform(self, power, data):
        return services.abolish_power(power, by=self.request.user, reason=data["reason"])

    def success_message(self, power, result):
        return _("%(code)s 已废止。") % {"code": power.code}


class RemoveStandardView(ActionView):
    title = gettext_lazy("删除裁量基准")
    submit_label = gettext_lazy("删除")
    danger = True
    roles = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR)

    def perform(self, power, data):
        standard = get_object_or_404(DiscretionStandard, pk=self.kwargs["standard_pk"], power=power)
        services.remove_standard(power, by=self.request.user, standard=standard)
        return power

    def success_message(self, power, result):
        return _("裁量基准已删除。")


class MergeView(StaffView):
    """Merge several published powers of the user's department into a new declaration (合并)."""

    template_name = "powers/manage/merge.html"
    roles = (DEPT_HANDLER, DEPT_HEAD)

    def department(self):
        department = department_of(self.request.user)
        if department is None:
            raise PermissionDenied(_("您的账号未关联单位。"))
        return department

    def get(self, request):
        return render(request, self.template_name, {"form": MergeForm(department=self.department())})

    def post(self, request):
        form = MergeForm(request.POST, department=self.department())
        if form.is_valid():
            try:
                new = services.propose_merger(
                    form.cleaned_data["powers"], by=request.user, name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except (ValidationError, TransitionError) as exc:
                if isinstance(exc, TransitionError):
                    form.add_error(None, str(exc))
                else:
                    attach_errors(form, exc)
            else:
                messages.success(request, _("已生成合并草稿 %(code)s，修改后提交审核。") % {"code": new.code})
                return redirect(manage_url(new))
        return render(request, self.template_name, {"form": form})
