"""Result disclosure (双公示) pages: the public list, one record, the Atom feed and the CSV export.

Everything here reads ``ResultDisclosure.objects.public()`` — published records and the withdrawals
of published ones — which hold only public fields (a private party's name masked, never an ID
number, phone or address), so no page, feed or export can show more.
"""

from django import forms
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal import opendata
from portal.access import RoleRequiredMixin
from portal.actions import ActionView, Verb
from portal.forms import TextField
from portal.models import Department

from .. import permissions
from ..choices import DISCLOSURE_TRANSITIONS, DisclosureState, ExemptionReason
from ..filtersets import ResultDisclosureFilterSet
from ..models import ResultDisclosure
from ..opendata import RESULT_FIELDS, result_row
from ..services import disclosure

PAGE_SIZE = 20
FEED_SIZE = 50
EXPORT_MAX_ROWS = 50_000


def public_results():
    return ResultDisclosure.objects.public().select_related("department", "power")


def filtered(request, queryset):
    """``(filterset, rows)``; invalid filters give no rows (and a 400 page), never a 500."""
    filterset = ResultDisclosureFilterSet(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return filterset, rows


class ResultListView(View):
    """结果公示: published licensing and penalty decisions, searchable by department, kind, date and party."""

    template_name = "approvals/results/list.html"

    def get(self, request):
        filterset, rows = filtered(request, public_results())
        filterset.form.fields.pop("state", None)  # the public sees published and withdrawn records only
        departments = Department.objects.filter(disclosures__published_at__isnull=False).distinct()
        filterset.form.fields["department"].widget = forms.Select(
            choices=[("", _("全部单位"))] + [(d.code, d.name) for d in departments.order_by("level", "code")]
        )
        page = Paginator(rows.order_by("-published_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"form": filterset.form, "page": page, "export_query": request.GET.urlencode()}
        return render(request, self.template_name, context, status=400 if filterset.errors else 200)


class ResultDetailView(View):
    """One published decision (or its withdrawal)."""

    template_name = "approvals/results/detail.html"

    def get(self, request, pk):
        record = get_object_or_404(public_results(), pk=pk)
        return render(request, self.template_name, {"record": record})


class ResultExportView(View):
    """The filtered public list as CSV, in the open-data schema (formula-safe cells)."""

    def get(self, request):
        filterset, rows = filtered(request, public_results())
        if filterset.errors:
            return render(
                request, "approvals/results/list.html", {"form": filterset.form, "page": None}, status=400
            )
        rows = rows.order_by("-published_at", "-id")[:EXPORT_MAX_ROWS]
        stamp = timezone.localdate().strftime("%Y%m%d")
        return opendata.csv_response(
            RESULT_FIELDS, (result_row(r) for r in rows.iterator()), f"results-{stamp}.csv"
        )


class ResultFeed(Feed):
    """Atom feed of the newest publications and withdrawals (订阅)."""

    feed_type = Atom1Feed
    title = gettext_lazy("行政许可和行政处罚结果公示")
    subtitle = gettext_lazy("最新公示的行政许可和行政处罚决定")

    def link(self):
        return reverse("approvals:results")

    def items(self):
        return public_results().order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        prefix = _("【已撤销】") if item.withdrawn_at else ""
        return f"{prefix}{item.decision_number} {item.matter}"

    def item_description(self, item):
        parts = [item.department.name, item.party_name, item.result, str(item.decided_on)]
        if item.withdrawn_at:
            parts.append(_("撤销理由：%s") % item.withdrawal_reason)
        return " · ".join(parts)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.withdrawn_at or item.published_at


# --- the departments' and inspectors' page: records due, exempted, published ------------------


class ExemptForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("法定理由"), choices=ExemptionReason.choices)
    note = TextField(
        label=gettext_lazy("具体说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = TextField(
        label=gettext_lazy("撤销理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChallengeForm(forms.Form):
    note = TextField(
        label=gettext_lazy("质疑意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


VERBS = {
    "publish": Verb(gettext_lazy("公示"), None, permissions.can_publish, disclosure.publish),
    "withdraw": Verb(
        gettext_lazy("撤销公示"), WithdrawForm, permissions.can_withdraw, disclosure.withdraw, danger=True
    ),
    "exempt": Verb(
        gettext_lazy("不予公示"), ExemptForm, permissions.can_exempt, disclosure.exempt, danger=True
    ),
    "challenge": Verb(
        gettext_lazy("质疑不予公示"),
        ChallengeForm,
        permissions.can_challenge,
        disclosure.challenge,
        danger=True,
    ),
}


class DisclosureDeskView(RoleRequiredMixin, View):
    """结果公示管理: a department's records (inspectors: all) — due first, with what each user may do."""

    roles = permissions.RESULTS_DESK_ROLES
    template_name = "approvals/results/desk.html"

    def get(self, request):
        base = ResultDisclosure.objects.visible_to(request.user).select_related("department", "case")
        data = request.GET.copy()
        if "state" not in data:
            data["state"] = DisclosureState.DUE
        filterset = ResultDisclosureFilterSet(data, queryset=base)
        rows = filterset.qs if filterset.is_valid() else base.none()
        page = Paginator(rows.order_by("due_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
        user = request.user
        for record in page.object_list:
            record.verbs = [
                (name, verb.title) for name, verb in VERBS.items()
                if record.state in DISCLOSURE_TRANSITIONS and verb.allowed(user, record) and _target(name) in DISCLOSURE_TRANSITIONS[record.state]
            ]  # fmt: skip
        counts = dict(base.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
        context = {
            "form": filterset.form, "page": page,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in DisclosureState.choices],
            "today": timezone.localdate(),
        }  # fmt: skip
        return render(request, self.template_name, context, status=400 if filterset.errors else 200)


def _target(verb: str) -> str:
    return {
        "publish": DisclosureState.PUBLISHED,
        "withdraw": DisclosureState.WITHDRAWN,
        "exempt": DisclosureState.EXEMPTED,
        "challenge": DisclosureState.DUE,
    }[verb]


class DisclosureActionView(ActionView):
    """One verb on one record: its small form (GET), then the verb (POST); refusals come back as messages."""

    roles = permissions.RESULTS_DESK_ROLES
    verbs = VERBS
    template_name = "approvals/results/action.html"
    success_url = "approvals:results_desk"
    object_context_name = "record"

    def get_object(self):
        return get_object_or_404(
            ResultDisclosure.objects.visible_to(self.request.user).select_related("department", "case"),
            pk=self.kwargs["pk"],
        )

    def get_success_message(self, result):
        return _("已%(verb)s：%(number)s") % {"verb": self.verb.title, "number": self.object.decision_number}
