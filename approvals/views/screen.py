"""/screen/: the service-centre hall's large display — public, full screen, refreshing itself."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views import View

from .. import screen


class ScreenView(View):
    """The display page; its script fetches ``screen.json`` every 30 s (no login, nothing external)."""

    def get(self, request):
        return render(request, "approvals/screen.html", {"data": screen.figures()})


class ScreenDataView(View):
    def get(self, request):
        return JsonResponse(screen.figures(), json_dumps_params={"ensure_ascii": False})
