from django.contrib.auth.mixins import LoginRequiredMixin
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
