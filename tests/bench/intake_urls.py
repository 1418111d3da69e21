"""The portal's URLs plus the plain baselines of the intake benchmark: ``/bench/plain/`` (one complaint
row, from the complaint benchmark) and ``/bench/plain-case/`` (one case row, no validation, no code
series, no secret, no trail, no audit); and a middleware counting each request's SQL statements."""

import json
import uuid

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from approvals.models import Case, ServiceItem
from portal.urls import handler403  # noqa: F401
from tests.bench.complaint_intake_urls import urlpatterns as complaint_urlpatterns

_item = None


@csrf_exempt
def plain_case(request):
    global _item
    data = json.loads(request.body or b"{}")
    if _item is None:
        _item = ServiceItem.objects.get(code=data["item"])
    case = Case.objects.create(
        code=f"PLAIN{uuid.uuid4().hex[:20]}", kind="application", item_id=_item.pk, power_id=_item.power_id,
        department_id=_item.department_id, applicant_name=data.get("applicant_name", ""),
        applicant_phone=data.get("applicant_phone", ""), channel="online", status="submitted",
        submitted_at=timezone.now(),
    )  # fmt: skip
    return JsonResponse({"code": case.code}, status=201)


def count_queries(get_response):
    """``X-Bench-Queries``: the SQL statements a request executed (BEGIN/COMMIT not counted)."""

    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        return response

    return middleware


urlpatterns = [path("bench/plain-case/", plain_case), *complaint_urlpatterns]
