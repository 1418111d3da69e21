"""The catalogue admin changes powers only through the verbs and reports refusals as messages."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from powers.choices import PowerStatus
from powers.models import DiscretionStandard, Flowchart, Power
from tests.powers.factories import HANGZHOU_BANDS, LegalArticleFactory, PowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publish_action_on_a_draft_is_refused_with_a_message(admin_client, department):
    draft = PowerFactory(department=department, status=PowerStatus.DRAFT)
    response = admin_client.post(
        "/admin/powers/power/", {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert any(draft.code in m and "草稿" in m for m in texts(response))
    assert Power.objects.get(pk=draft.pk).status == PowerStatus.DRAFT


def test_submit_action_calls_the_verb(admin_client, department):
    draft = PowerFactory(department=department, status=PowerStatus.DRAFT)
    admin_client.post("/admin/powers/power/", {"action": "submit", "_selected_action": [draft.pk]})
    assert Power.objects.get(pk=draft.pk).status == PowerStatus.SUBMITTED
    assert AuditEvent.objects.for_object(draft).filter(verb="power.submit").exists()


def test_add_power_declares_it(admin_client, department):
    article = LegalArticleFactory()
    response = admin_client.post(
        "/admin/powers/power/add/",
        {"department": department.pk, "name": "食品经营许可", "category": "licensing", "time_limit_unit": "working_days",
         "fee_basis": "不收费", "legal_articles": [article.pk], "time_limit_days": 20, "promised_days": 10},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    power = Power.objects.get()
    assert power.code == "XK-SCJG-0001" and power.status == PowerStatus.DRAFT
    assert list(power.legal_articles.all()) == [article]
    assert AuditEvent.objects.for_object(power).filter(verb="power.declare").exists()


def test_script_in_a_name_is_refused_with_a_message(admin_client, department):
    response = admin_client.post(
        "/admin/powers/power/add/",
        {"department": department.pk, "name": "<script>x</script>", "category": "other",
         "time_limit_unit": "working_days", "fee_basis": "不收费"},
        follow=True,
    )  # fmt: skip
    assert any("HTML" in m for m in texts(response))
    assert not Power.objects.exists()


def test_flowchart_and_standard_are_saved_through_the_verbs(admin_client, department):
    draft = PowerFactory(department=department, status=PowerStatus.DRAFT, category="penalty")
    inline = {"-TOTAL_FORMS": "2", "-INITIAL_FORMS": "0", "-MIN_NUM_FORMS": "0", "-MAX_NUM_FORMS": "1000"}
    steps = {f"steps{k}": v for k, v in inline.items()}
    steps.update({"steps-0-order": "2", "steps-0-name": "审核", "steps-0-kind": "check", "steps-1-order": "1",
                  "steps-1-name": "受理", "steps-1-kind": "intake"})  # fmt: skip
    response = admin_client.post("/admin/powers/flowchart/add/", {"power": draft.pk, "note": "", **steps})
    assert response.status_code == 302
    chart = Flowchart.objects.get(power=draft)
    assert list(chart.steps.values_list("order", "name")) == [(1, "受理"), (2, "审核")]

    bands = {f"bands{k}": v for k, v in {**inline, "-TOTAL_FORMS": "4"}.items()}
    for i, band in enumerate(HANGZHOU_BANDS):
        for field, value in band.items():
            bands[f"bands-{i}-{field}"] = "" if value is None else str(value)
        bands[f"bands-{i}-order"] = str(i + 1)
    response = admin_client.post(
        "/admin/powers/discretionstandard/add/",
        {"power": draft.pk, "title": "店外店", "fact_label": "占用面积", "fact_unit": "平方米", "amount_unit": "元",
         "requires_collective_discussion": "on", **bands},
    )  # fmt: skip
    assert response.status_code == 302
    assert DiscretionStandard.objects.get().bands.count() == 4
    assert AuditEvent.objects.for_object(draft).filter(verb="power.standard").exists()


def test_changelist_query_count_is_constant(admin_client, department):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/admin/powers/power/").status_code == 200
        return len(ctx.captured_queries)

    PowerFactory.create_batch(2, department=department)
    few = count()
    PowerFactory.create_batch(6, department=department)
    assert count() == few
