from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from portal import figures, opendata
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
