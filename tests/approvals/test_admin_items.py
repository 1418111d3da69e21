"""Service items' materials and fees change in the admin only through update_service_item (audited)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from approvals import services
from approvals.models import FeeItem, Material
from portal.models import AuditEvent
from tests.portal.test_admin_audit import post_change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(item):
    return f"/admin/approvals/serviceitem/{item.pk}/change/"


def test_materials_and_fees_change_through_the_verb_with_before_and_after(admin_client, admin_user, centre):
    item = centre.item
    required_pk = centre.required.pk
    # Rename the first material, drop the optional one, change the fee and its basis.
    response = post_change_form(
        admin_client,
        url(item),
        {},
        {
            "materials-0-name": "营业执照副本",
            "materials-1-DELETE": "on",
            "fees-0-amount": "15.00",
            "fees-0-basis": "示范市行政事业性收费目录",
        },
    )
    assert response.status_code == 302, texts(response)
    assert list(item.materials.values_list("pk", "name")) == [(required_pk, "营业执照副本")]  # same row kept
    assert item.fees.get().amount == Decimal("15.00")
    event = AuditEvent.objects.get(verb="service_item.update")
    assert event.actor == admin_user
    assert [m.split("（")[0] for m in event.before["materials"]] == ["营业执照", "委托书"]
    assert [m.split("（")[0] for m in event.after["materials"]] == ["营业执照副本"]
    assert event.before["fees"] == ["工本费：50.00元（收费文件）"] and event.after["fees"] == [
        "工本费：15.00元（示范市行政事业性收费目录）"
    ]
    assert not AuditEvent.objects.filter(
        verb="service_item.children"
    ).exists()  # the old side channel is gone


def test_a_fee_without_basis_is_refused_and_nothing_is_stored(admin_client, centre):
    item = centre.item
    response = post_change_form(
        admin_client,
        url(item),
        {"promised_days": "3"},
        {"materials-1-DELETE": "on", "fees-0-amount": "15", "fees-0-basis": ""},
    )
    assert response.status_code == 302
    assert any("收费依据" in m for m in texts(response))
    item.refresh_from_db()
    assert item.promised_days != 3
    assert item.materials.count() == 2 and item.fees.get().amount == Decimal("50.00")
    assert not AuditEvent.objects.filter(verb="service_item.update").exists()


def test_a_material_already_handed_in_cannot_be_removed(admin_client, centre):
    services.submit_application(
        centre.item, applicant_name="张三", paper_materials=[centre.required.pk], by=centre.clerk
    )
    from django.core.exceptions import ValidationError

    # The admin's inline refuses it on the form (a protected row)...
    response = post_change_form(admin_client, url(centre.item), {}, {"materials-0-DELETE": "on"})
    assert response.status_code == 200 and "营业执照" in response.content.decode()
    # ...and so does the verb, for any other caller.
    with pytest.raises(ValidationError, match="已有办件提交"):
        services.update_service_item(centre.item, by=centre.approver, materials=[{"id": centre.optional.pk}])
    assert Material.objects.filter(pk=centre.required.pk).exists()
    assert not AuditEvent.objects.filter(verb="service_item.update").exists()
    # Making it optional instead is allowed.
    response = post_change_form(admin_client, url(centre.item), {}, {"materials-0-required": ""})
    assert response.status_code == 302
    assert Material.objects.get(pk=centre.required.pk).required is False


def test_other_departments_cannot_change_the_item_and_it_is_never_deleted(admin_client, centre):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_service_item(centre.item, by=centre.other_staff, fees=[])
    page = admin_client.get(url(centre.item))
    assert page.status_code == 200
    assert admin_client.get(f"/admin/approvals/serviceitem/{centre.item.pk}/delete/").status_code == 403
    assert b"delete_selected" not in admin_client.get("/admin/approvals/serviceitem/").content
    assert FeeItem.objects.filter(item=centre.item).count() == 1
