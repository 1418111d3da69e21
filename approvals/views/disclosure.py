"""Result disclosure (双公示) pages: the public list, one record, the Atom feed and the CSV export.

Everything here reads ``ResultDisclosure.objects.public()`` — published records and the withdrawals
of published ones — which hold only public fields (a private party's name masked, never an ID
number, phone or address), so no page, feed or export can show more.
"""

from django import forms
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal import opendata
from portal.models import Department

from ..filtersets import ResultDisclosureFilterSet
from ..models import ResultDisclosure
from ..opendata import RESULT_FIELDS, result_row

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
