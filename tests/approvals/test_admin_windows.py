"""The service centre's windows change in the admin only through save_window / remove_window (audited)."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals import services
from approvals.models import FeePayment, Window
from portal.models import AuditEvent
from portal.services import TransitionError
from tests.portal import test_admin_audit
from tests.portal.test_admin_audit import post_change_form

pytestmark = pytest.mark.django_db
admin_client = test_admin_audit.admin_client  # the signed-in administrator's client (fixture)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_adding_a_window_in_the_admin_is_audited(admin_client, admin_user, centre):
    response = admin_client.post(
        "/admin/approvals/window/add/",
        {"number": "9", "name": "社保窗口", "department": centre.department.pk, "is_active": "on"},
    )
    assert response.status_code == 302, texts(response)
    assert Window.objects.filter(number="9").exists()
    event = AuditEvent.objects.get(verb="window.create")
    assert event.actor == admin_user and event.after["name"] == "社保窗口"
    assert event.after["department"] == centre.department.code and event.after["is_active"] is True


def test_changing_a_window_records_before_and_after_and_an_unchanged_save_records_nothing(
    admin_client, admin_user, centre
):
    window = Window.objects.create(number="3", name="市场监管窗口", department=centre.department)
    centre.item.windows.add(window)
    response = post_change_form(
        admin_client, f"/admin/approvals/window/{window.pk}/change/", {"is_active": ""}
    )
    assert response.status_code == 302, texts(response)
    window.refresh_from_db()
    assert window.is_active is False
    event = AuditEvent.objects.get(verb="window.update")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert event.after["items"] == [centre.item.code]
    post_change_form(admin_client, f"/admin/approvals/window/{window.pk}/change/", {})
    assert AuditEvent.objects.filter(verb="window.update").count() == 1


def test_a_duplicate_number_is_a_form_error_and_stores_nothing(admin_client, centre):
    Window.objects.create(number="3", name="市场监管窗口")
    response = admin_client.post("/admin/approvals/window/add/", {"number": "3", "name": "另一个"})
    assert response.status_code == 200 and Window.objects.count() == 1
    assert not AuditEvent.objects.filter(verb__startswith="window.").exists()


def test_deleting_a_window_is_audited_with_the_reason(admin_client, centre):
    window = Window.objects.create(number="7", name="误建窗口")
    response = admin_client.post(
        f"/admin/approvals/window/{window.pk}/delete/", {"post": "yes", "reason": "误建"}
    )
    assert response.status_code == 302, texts(response)
    assert not Window.objects.filter(pk=window.pk).exists()
    event = AuditEvent.objects.get(verb="window.delete")
    assert event.note == "误建" and event.before["name"] == "误建窗口"


@pytest.mark.parametrize("reason", ["", "   "])
def test_deleting_a_window_needs_a_reason(admin_client, centre, reason):
    window = Window.objects.create(number="7", name="误建窗口")
    response = admin_client.post(
        f"/admin/approvals/window/{window.pk}/delete/", {"post": "yes", "reason": reason}
    )
    assert any("删除窗口必须说明理由" in text for text in texts(response)), texts(response)
    assert Window.objects.filter(pk=window.pk).exists()
    assert not AuditEvent.objects.filter(verb="window.delete").exists()


def test_a_window_with_fee_records_is_switched_off_not_deleted(admin_client, admin_user, centre):
    window = Window.objects.create(number="1", name="统一收费窗口", is_fee_window=True)
    case, _secret = centre.apply()
    FeePayment.objects.create(
        case=case, amount=50, expected_amount=50, receipt_no="R1", window=window,
        recorded_by=centre.clerk, recorded_at=timezone.now(),
    )  # fmt: skip
    # The admin lists the protected fee record and deletes nothing; the verb refuses on its own too.
    response = admin_client.post(f"/admin/approvals/window/{window.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200 and "无法删除" in response.content.decode()
    with pytest.raises(TransitionError, match="已有收费记录"):
        services.remove_window(window, by=admin_user, reason="停用")
    assert Window.objects.filter(pk=window.pk).exists()
    assert not AuditEvent.objects.filter(verb="window.delete").exists()


def test_only_an_administrator_may_set_up_windows(centre, admin_user):
    with pytest.raises(PermissionDenied):
        services.save_window(by=centre.clerk, number="5", name="窗口")
    assert not Window.objects.filter(number="5").exists()
    window = services.save_window(by=admin_user, number="5", name="窗口")
    with pytest.raises(PermissionDenied):
        services.remove_window(window, by=centre.clerk, reason="误建")
    with pytest.raises(PermissionDenied):
        services.save_window(window, by=centre.clerk, is_active=False)
    window.refresh_from_db()
    assert window.is_active


def test_bulk_delete_is_not_offered(admin_client, centre):
    page = admin_client.get("/admin/approvals/window/")
    assert page.status_code == 200 and "delete_selected" not in page.content.decode()
