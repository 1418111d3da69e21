from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views.generic import TemplateView

from portal.roles import department_of


class HomeView(TemplateView):
    """The public front page: what the portal offers citizens, no login needed."""

    template_name = "portal/home.html"


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
