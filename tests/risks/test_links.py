"""Crawl the risk pages as the public, a department's staff and the inspection office: no broken link."""

import pytest
from django.urls import reverse

from portal import roles
from risks import services
from tests import links
from tests.factories import PostFactory, UserFactory
from tests.powers.factories import FlowchartFactory, PowerFactory
from tests.risks.factories import RiskPointFactory


@pytest.fixture
def world(department, inspector, head):
    power = PowerFactory(department=department)
    chart = FlowchartFactory(power=power)
    post = PostFactory(department=department)
    person = UserFactory(username="zhang", roles=[roles.DEPT_HANDLER], department=department, posts=[post])
    for grade, step in zip("ABC", chart.steps.all(), strict=False):
        RiskPointFactory(power=power, post=post, step=step, grade=grade)
    info, _ = services.record_information(
        by=inspector, source="manual", title="t", content="c", department=department, person=person
    )
    services.assess_information(info, by=inspector, grade="A", assessment="a")
    warning = services.issue_warning(info, by=inspector, content="c", requirements="r", person=person)
    services.issue_order(info, by=inspector, plan="p", deadline_days=5, warning=warning)
    return person


def crawl(client, start_urls, limit=60):
    return links.crawl(client, start_urls, follow="/risks/", limit=limit, skip_suffixes=(".xlsx", "/pdf/"))


@pytest.mark.parametrize("who", ["anonymous", "zhang", "head", "inspector"])
def test_crawl(client, world, request, who):
    if who == "zhang":
        client.force_login(world)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    seen, broken = crawl(
        client, [reverse("risks:catalogue"), reverse("risks:heatmap"), reverse("risks:office")]
    )
    assert broken == [] and len(seen) > 3
