"""portal.access: one role mixin for pages (login redirect, one styled 403 page) and HasRole for the API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from portal import roles
from portal.access import HasRole, RoleRequiredMixin
from tests.links import links

pytestmark = pytest.mark.django_db

REFUSED = ["/monitoring/", "/monitoring/notices/", "/desk/", "/powers/manage/", "/efficiency/"]


class InspectorsPage(RoleRequiredMixin, View):
    roles = (roles.INSPECTOR,)

    def get(self, request):
        return HttpResponse("ok")


def test_anonymous_visitors_are_sent_to_log_in(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/somewhere/?page=2")
    request.user = AnonymousUser()
    response = InspectorsPage.as_view()(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/%3Fpage%3D2"


def test_other_roles_are_refused_and_holders_pass(rf, clerk, inspector):
    request = rf.get("/x/")
    request.user = clerk
    with pytest.raises(PermissionDenied):
        InspectorsPage.as_view()(request)
    request.user = inspector
    assert InspectorsPage.as_view()(request).status_code == 200


@pytest.mark.parametrize("url", REFUSED)
def test_every_refusal_is_the_one_styled_chinese_page(client, integrator, url):
    client.force_login(integrator)
    response = client.get(url)
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403.html"
    html = response.content.decode()
    assert "无权访问" in html and "Forbidden" not in html
    hrefs = {link.get("href") for link in links(response)}
    assert {"/workbench/", "/"} <= hrefs
    assert url not in hrefs, "the 403 page must not lead back to the refused page"


def test_the_403_page_says_why(client, clerk):
    client.force_login(clerk)
    assert "您没有权限访问权力事项管理。" in client.get("/powers/manage/").content.decode()


class Probe(APIView):
    permission_classes = [HasRole(roles.INSPECTOR)]

    def get(self, request):
        return Response({"ok": True})


def test_has_role_for_the_api(inspector, clerk):
    view, factory = Probe.as_view(), APIRequestFactory()
    for user, expected in ((inspector, 200), (clerk, 403)):
        request = factory.get("/probe/")
        force_authenticate(request, user=user)
        assert view(request).status_code == expected
    assert view(factory.get("/probe/")).status_code in (401, 403)


def test_any_staff_api_needs_a_login():
    assert APIClient().get("/api/v1/alerts/").status_code in (401, 403)
