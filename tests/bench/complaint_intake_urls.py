"""The portal's URLs plus ``/bench/plain/``: a plain Django view that only inserts a complaint row."""

import json
import uuid

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from complaints.models import Complaint
from portal.urls import handler403  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def plain_insert(request):
    data = json.loads(request.body or b"{}")
    complaint = Complaint.objects.create(
        code=f"PLAIN{uuid.uuid4().hex[:20]}", channel="web", title=data.get("title", ""),
        matter=data.get("matter", ""), reporter_name=data.get("reporter_name", ""),
        reporter_contact=data.get("reporter_contact", ""), received_at=timezone.now(),
    )  # fmt: skip
    return JsonResponse({"code": complaint.code}, status=201)


urlpatterns = [path("bench/plain/", plain_insert), *portal_urlpatterns]
