"""The staff desk (办件工作台): case lists by tab, window intake, and filing enforcement cases."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal.access import RoleRequiredMixin
from portal.forms import PlainSelect, attach_errors
from portal.models import Department, Post
from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    INSPECTOR,
    LEGAL_REVIEWER,
    WINDOW_CLERK,
    department_of,
    has_role,
)
from portal.services import TransitionError

from .. import due, permissions, services
from ..choices import OPEN_STATUSES, CaseKind, CaseStatus, Channel
from ..filtersets import CaseFilterSet
from ..forms import EnforcementForm, IntakeForm, IntakeItemForm
from ..models import Case, ServiceItem
from ..models.cases import NOT_CLOSED
from ..permissions import DESK_ROLES, post_ids_of
from .common import due_text, mark_due
from .public import no_store, receipt_context

PAGE_SIZE = 25
# Tab badges show at most this many ("999+"). A list pages through at most LIST_CAP rows (deep pages
# of a million-row list are not offered: filters narrow it down instead), so no page counts or skips
# more than that many index entries.
COUNT_CAP = 999
LIST_CAP = 10_000
INTAKE_RECEIPT = "approvals.intake_receipt"

TABS = [
    ("intake", gettext_lazy("待受理")),
    ("mine", gettext_lazy("我的待办")),
    ("parallel", gettext_lazy("并联会签")),
    ("due", gettext_lazy("临近时限/已超时")),
    ("all", gettext_lazy("全部")),
]
TABS_BY_NAME = dict(TABS)


def tab_conditions(user, today) -> dict:
    """The Q of each tab the user has, in the order shown."""
    department = department_of(user)
    clerk = has_role(user, WINDOW_CLERK)
    staff = has_role(user, DEPT_HANDLER, DEPT_HEAD) and department is not None
    held = post_ids_of(user)
    tabs = {}
    if clerk or staff:
        tabs["intake"] = Q(status=CaseStatus.SUBMITTED, kind=CaseKind.APPLICATION, parent__isnull=True)
    if clerk or staff or held:
        # The posts the user holds and those they back up (B post), as one list of ids: one
        # indexed IN on current_post, not a join to the posts of every case.
        acting = (
            held | set(Post.objects.filter(backup_id__in=held).values_list("pk", flat=True))
            if held
            else set()
        )
        mine = Q(current_post_id__in=acting)
        if staff:  # steps without a post are the department's
            mine |= Q(current_step__isnull=False, current_post__isnull=True, department=department)
        if clerk:  # decided, nothing left on the flowchart: the window collects the fee and closes
            mine |= Q(status=CaseStatus.DECIDED, current_step__isnull=True, parent__isnull=True)
        tabs["mine"] = mine & Q(status__in=OPEN_STATUSES) & ~Q(status=CaseStatus.WAITING_PARALLEL)
    if staff:
        tabs["parallel"] = Q(parent__isnull=False, department=department, status=CaseStatus.IN_PROGRESS)
    tabs["due"] = due.due_soon_q(today)
    # Every working tab holds cases not closed: its rows are read from the partial index over those
    # (case_desk_idx, a few percent of the table), whatever the number of closed cases.
    tabs = {name: condition & NOT_CLOSED for name, condition in tabs.items()}
    tabs["all"] = Q()
    return tabs


def tab_counts(visible, conditions) -> dict:
    """``{tab: n}`` for every working tab, in one query over the user's cases not closed."""
    working = {name: condition for name, condition in conditions.items() if name != "all"}
    if not working:
        return {}
    figures = {name: Count("pk", filter=condition) for name, condition in working.items()}
    return visible.filter(NOT_CLOSED).order_by().aggregate(**figures)


def default_tab(user, tabs) -> str:
    if has_role(user, WINDOW_CLERK) and "intake" in tabs:
        return "intake"
    if "mine" in tabs:
        return "mine"
    return "due"


def bounded_count(queryset, cap: int) -> tuple[int, bool]:
    """``(n, more)``: the number of rows up to ``cap``, and whether there are more (a LIMIT inside
    the COUNT: an index reads at most cap + 1 entries)."""
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


class BoundedPaginator(Paginator):
    """A paginator whose count stops at LIST_CAP: deep pages of a million-row list are not offered
    (filters narrow it down instead), so no page ever counts or skips more than that. ``known``: the
    number of rows when already counted (a tab's badge), so the list is not counted again."""

    def __init__(self, object_list, per_page, cap=None, known=None):
        super().__init__(object_list, per_page)
        self.cap, self.more, self.known = cap or LIST_CAP, False, known

    @cached_property
    def count(self):
        if self.known is not None:
            n, self.more = min(self.known, self.cap), self.known > self.cap
            return n
        n, self.more = bounded_count(self.object_list, self.cap)
        return n


# The filter's selects are written straight in Python (PlainSelect): Django's per-option templates for
# ~300 departments and the other selects were most of a desk page's time.
class YesNoSelect(PlainSelect):
    def __init__(self):
        super().__init__(choices=[("", _("不限")), ("true", _("是")), ("false", _("否"))])


class ListSelect(PlainSelect):
    """A single select for a multiple-choice filter (one status at a time on the page)."""

    def value_from_datadict(self, data, files, name):
        return [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else data.get(name)


class DeskView(RoleRequiredMixin, View):
    """办件工作台: tabs for the user's roles, the shared case filterset, green channel first."""

    roles = DESK_ROLES
    denied_message = gettext_lazy("您没有权限访问办件工作台。")

    template_name = "approvals/desk/desk.html"

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        conditions = tab_conditions(user, today)
        tab = request.GET.get("tab")
        if tab not in conditions:
            tab = default_tab(user, conditions)
        visible = Case.objects.visible_to(user)
        counts = tab_counts(visible, conditions)
        filterset = CaseFilterSet(request.GET, queryset=visible.filter(conditions[tab]))
        self.tune_form(filterset.form, user)
        valid = filterset.is_valid()
        rows = self.ordered(filterset.qs, tab) if valid else Case.objects.none()
        # An unfiltered working tab has as many rows as its badge says.
        filtered = (
            any(v not in (None, "", []) for v in filterset.form.cleaned_data.values()) if valid else True
        )
        # Two steps: the page's ids from the case table alone (in the order of an index, no joins and
        # no per-row subquery before the sort), then those 25 rows with what the list shows.
        page = BoundedPaginator(
            rows.values_list("pk", flat=True), PAGE_SIZE, known=None if filtered else counts.get(tab)
        ).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        by_id = {case.pk: case for case in Case.objects.filter(pk__in=ids).for_list().order_by()}
        page.object_list = mark_due([by_id[pk] for pk in ids if pk in by_id], today)
        context = {
            "tabs": [
                {
                    "name": name,
                    "label": label,
                    "count": min(counts[name], COUNT_CAP) if name in counts else None,
                    "more": name in counts and counts[name] > COUNT_CAP,
                    "selected": name == tab,
                }
                for name, label in TABS
                if name in conditions
            ],
            "tab": tab,
            "form": filterset.form,
            "page": page,
            "today": today,
            "read_only": permissions.reads_only(user),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)

    @staticmethod
    def ordered(queryset, tab=None):
        """The working tabs (cases waiting or open, a few): the shared desk order (green channel
        first, nearest due date). "全部" (every case, up to millions): newest first, the
        order of the (department, id) and primary-key indexes, so a page never sorts the table."""
        if tab == "all":
            return queryset.order_by("-id")
        return queryset.desk_order()  # the working tabs hold cases waiting or open only

    def tune_form(self, form, user):
        fields = form.fields
        for name in ("green_channel", "suspended", "overdue", "subcases", "is_open"):
            fields[name].widget = YesNoSelect()
        fields["status"].widget = ListSelect(choices=[("", _("全部状态")), *CaseStatus.choices])
        for name, everything in (("kind", _("全部类型")), ("channel", _("全部渠道"))):
            fields[name].widget = PlainSelect()
            fields[name].empty_label = everything
            fields[name].choices = [c for c in fields[name].choices if c[0] != ""]  # re-binds the iterator
        if has_role(user, WINDOW_CLERK, INSPECTOR, LEGAL_REVIEWER, ADMINISTRATOR):
            departments = Department.objects.filter(is_active=True).order_by("level", "code")
            fields["department"].widget = PlainSelect(
                choices=[("", _("全部单位"))] + [(d.code, d.name) for d in departments]
            )
            fields["department"].label = _("办理单位")
        else:
            del fields["department"]


# --- window intake -------------------------------------------------------------------------


def intake_items(user):
    items = (
        ServiceItem.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__code", "code")
    )
    if has_role(user, WINDOW_CLERK):
        return items
    return items.filter(department=department_of(user))


class IntakeView(RoleRequiredMixin, View):
    """窗口受理: the clerk records a walk-in application (paper checked, scans optional), then accepts it."""

    template_name = "approvals/desk/intake.html"
    roles = (WINDOW_CLERK, DEPT_HANDLER, DEPT_HEAD)

    def chosen_item(self, data):
        picker = IntakeItemForm(data if data.get("item") else None, items=intake_items(self.request.user))
        item = picker.cleaned_data["item"] if picker.is_bound and picker.is_valid() else None
        return picker, item

    def get(self, request):
        picker, item = self.chosen_item(request.GET)
        form = IntakeForm(item=item) if item else None
        return render(request, self.template_name, {"picker": picker, "item": item, "form": form})

    def post(self, request):
        picker, item = self.chosen_item(request.POST)
        if item is None:
            return render(
                request, self.template_name, {"picker": picker, "item": None, "form": None}, status=400
            )
        form = IntakeForm(request.POST, request.FILES, item=item)
        if form.is_valid():
            try:
                # One transaction: an acceptance refused after the registration leaves nothing behind.
                with transaction.atomic():
                    case, secret = services.submit_application(
                        item, channel=Channel.WINDOW, files=form.uploads(), by=request.user,
                        paper_materials=[int(pk) for pk in form.cleaned_data["paper_materials"]], **form.applicant(),
                    )  # fmt: skip
                    if form.cleaned_data["accept_now"]:
                        case = services.accept_case(case, by=request.user)
            except ValidationError as exc:
                attach_errors(form, exc)
            except TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                request.session[INTAKE_RECEIPT] = {"case": case.pk, "secret": secret}
                if case.accepted_on:
                    message = _("已当场受理 %(code)s，法定办结日期 %(due)s。") % {
                        "code": case.code,
                        "due": due_text(case),
                    }
                else:
                    message = _("已登记办件 %(code)s，待受理。") % {"code": case.code}
                messages.success(request, message)
                return redirect("approvals:intake_receipt")
        return render(request, self.template_name, {"picker": picker, "item": item, "form": form}, status=400)


class IntakeReceiptView(RoleRequiredMixin, View):
    """The receipt handed to the walk-in applicant, with the query secret shown this once."""

    roles = (WINDOW_CLERK, DEPT_HANDLER, DEPT_HEAD)

    def get(self, request):
        context = receipt_context(request, INTAKE_RECEIPT)
        if (
            context is None
            or not Case.objects.visible_to(request.user).filter(pk=context["case"].pk).exists()
        ):
            return redirect("approvals:desk")
        context["staff"] = True
        return no_store(render(request, "approvals/receipt.html", context))


# --- enforcement ---------------------------------------------------------------------------------


class EnforcementNewView(RoleRequiredMixin, View):
    """立案: an officer opens an enforcement case on a published penalty/coercion/inspection power."""

    template_name = "approvals/desk/enforcement_form.html"
    roles = (DEPT_HANDLER, DEPT_HEAD)

    def department(self):
        department = department_of(self.request.user)
        if department is None:
            raise PermissionDenied(_("您的账号未关联单位，不能立案。"))
        return department

    def get(self, request):
        form = EnforcementForm(department=self.department(), initial={"power": request.GET.get("power")})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = EnforcementForm(request.POST, department=self.department())
        if form.is_valid():
            try:
                case = services.open_enforcement_case(
                    form.cleaned_data["power"], by=request.user, **form.verb_kwargs()
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已立案 %(code)s，法定办结日期 %(due)s。") % {"code": case.code, "due": due_text(case)},
                )
                return redirect("approvals:case", code=case.code)
        return render(request, self.template_name, {"form": form}, status=400)
