from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from portal import figures, opendata, search
from portal.roles import department_of


class HomeView(TemplateView):
    """The public front page: what the portal offers citizens and what the government did (cached figures)."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = figures.collect()
        return context


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """A staff member's landing page: links by role."""

    template_name = "portal/workbench.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["department"] = department_of(self.request.user)
        return context


def forbidden(request, exception=None):
    """handler403: the styled, translated 403 page for every PermissionDenied, with its reason.

    Its links lead where the user may go (the workbench, the home page), never back to the refused page.
    """
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


class OpenDataView(TemplateView):
    """数据开放: every registered dataset with its data dictionary and download links."""

    template_name = "portal/open_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["datasets"] = opendata.datasets()
        context["schema_version"] = opendata.SCHEMA_VERSION
        return context


class OpenDataDownloadView(View):
    """``/open-data/<slug>.csv`` and ``.json``: the whole public dataset, streamed."""

    def get(self, request, slug, fmt):
        dataset = opendata.get(slug)
        if dataset is None:
            raise Http404("没有这个数据集。")
        if fmt == "csv":
            return opendata.csv_response(dataset.fields, dataset.rows(), f"{slug}.csv")
        return opendata.json_response(dataset, dataset.rows())


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={"max_length": _("检索词不能超过 %(limit_value)d 个字符。")},
    )
    kind = forms.ChoiceField(label=_("类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部"))] + [(k.slug, k.label) for k in search.kinds()]


SEARCH_PAGE_SIZE = 20


class SearchView(View):
    """公共检索: powers, discretion standards and service items in one search, grouped by kind; no login.

    Any substring of a name, code, object or legal basis finds it (one or two characters included);
    punctuation is part of the text; words separated by spaces must all occur.
    """

    template_name = "portal/search.html"

    def get(self, request):
        form = SearchForm(request.GET)
        context = {"form": form, "query": "", "counts": [], "kind": None, "page": None}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        query = form.cleaned_data["q"].strip()
        context["query"] = query
        if query:
            counts, kind, results = search.grouped(query, form.cleaned_data["kind"] or None)
            paginator = Paginator(results, SEARCH_PAGE_SIZE)
            paginator.__dict__["count"] = dict((k.slug, n) for k, n in counts)[kind.slug]  # counted already
            page = paginator.get_page(request.GET.get("page"))
            found = [(obj.pk, kind.row(obj)) for obj in page.object_list]
            where = search.snippets(kind, found, query)  # why a row matched, when its title does not say
            for pk, row in found:
                row["snippet"] = where.get(pk)
            context.update(
                counts=counts,
                kind=kind,
                page=page,
                rows=[row for _pk, row in found],
                total=sum(n for _k, n in counts),
            )
        return render(request, self.template_name, context)
