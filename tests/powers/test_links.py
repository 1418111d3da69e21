"""The public power list's pager and category buttons, clicked as rendered (not read from the context)."""

import pytest
from django.urls import reverse

from powers.choices import Category
from tests.factories import DepartmentFactory
from tests.links import click
from tests.powers.factories import PowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(monkeypatch):
    monkeypatch.setattr("powers.views.PAGE_SIZE", 3)
    department = DepartmentFactory()
    licensing = PowerFactory.create_batch(5, department=department, category=Category.LICENSING)
    penalties = PowerFactory.create_batch(2, department=department, category=Category.PENALTY)
    return {"licensing": {p.code for p in licensing}, "penalty": {p.code for p in penalties}}


def codes(response) -> set[str]:
    return {p.code for p in response.context["page"].object_list}


def test_every_power_is_reached_by_clicking_next(client, catalogue):
    response = client.get(reverse("powers:list"))
    seen = codes(response)
    pages = 1
    while 'rel="next"' in response.content.decode():
        response = click(client, response, rel="next")
        assert response.status_code == 200
        assert not codes(response) & seen, "下一页 showed the same page again"
        seen |= codes(response)
        pages += 1
    assert pages == 3
    assert seen == catalogue["licensing"] | catalogue["penalty"]
    back = click(client, response, rel="prev")
    assert back.context["page"].number == 2


def test_category_buttons_filter_and_all_resets(client, catalogue):
    response = client.get(reverse("powers:list"))
    penalty = click(client, response, text=str(Category.PENALTY.label))
    assert penalty.status_code == 200
    assert codes(penalty) == catalogue["penalty"]
    everything = click(client, penalty, text="全部类别")
    assert everything.context["page"].paginator.count == 7
