"""Links a person clicks on the service guide and the desk: pager and tabs, followed as rendered."""

import pytest
from django.urls import reverse

from tests.approvals.factories import ServiceItemFactory
from tests.links import click

pytestmark = pytest.mark.django_db


def test_services_page_two_is_reachable(client, monkeypatch, department):
    monkeypatch.setattr("approvals.views.public.PAGE_SIZE", 2)
    items = ServiceItemFactory.create_batch(3, power__department=department)
    first = client.get(reverse("approvals:items"))
    second = click(client, first, rel="next")
    assert second.status_code == 200
    assert second.context["page"].number == 2
    assert [i.code for i in second.context["page"].object_list] == [items[2].code]


def test_desk_all_tab_and_its_pager_stay_on_all(client, centre, monkeypatch):
    monkeypatch.setattr("approvals.views.desk.PAGE_SIZE", 2)
    for _ in range(3):
        centre.apply()
    client.force_login(centre.clerk)
    desk = client.get(reverse("approvals:desk"))
    everything = click(client, desk, text="全部")
    assert everything.status_code == 200
    assert everything.context["tab"] == "all"
    second = click(client, everything, rel="next")
    assert second.status_code == 200
    assert second.context["tab"] == "all"
    assert second.context["page"].number == 2
    first_codes = {c.code for c in everything.context["page"].object_list}
    assert not first_codes & {c.code for c in second.context["page"].object_list}
