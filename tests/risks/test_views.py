"""Pages of the risks app: public catalogue, heat map, coloured flowchart, workflow, warning loop, integrity file."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.choices import AccountabilityMeasure, AlertKind
from monitoring.models import AccountabilityRecord
from portal import roles
from powers.choices import PowerStatus
from risks import services
from risks.choices import Grade, InformationStatus, OrderStatus, RiskPointStatus
from risks.models import DemocraticEvaluation, RiskInformation, RiskPoint
from tests.factories import PostFactory, UserFactory
from tests.monitoring.factories import AlertFactory
from tests.powers.factories import FlowchartFactory, PowerFactory
from tests.risks.factories import RiskPointFactory


def _points(department, n, **kwargs):
    power = PowerFactory(department=department)
    FlowchartFactory(power=power)
    post = PostFactory(department=department)
    return [RiskPointFactory(power=power, post=post, **kwargs) for _ in range(n)]


def test_catalogue_is_public_and_shows_only_confirmed_points_with_masked_names(client, department):
    _points(department, 2, responsible_name="王小明")
    RiskPointFactory(
        power=PowerFactory(department=department), status=RiskPointStatus.DRAFT, title="草稿风险点"
    )
    response = client.get(reverse("risks:catalogue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "草稿风险点" not in body
    assert "王**" in body and "王小明" not in body
    assert response.context["counts"][Grade.B] == 2


@pytest.mark.parametrize("query", ["grade=A", "risk_type=moral", "department=SCJG", "power=XK-SCJG-0001"])
def test_catalogue_filters(client, department, query):
    _points(department, 1)
    assert client.get(reverse("risks:catalogue") + "?" + query).status_code == 200


def test_catalogue_bad_filters_are_form_errors_not_500(client, department):
    for query in ("grade=Z", "department=NOPE", "post=1E%2B999999999", f"post={2**64}"):
        response = client.get(reverse("risks:catalogue") + "?" + query)
        assert response.status_code == 200, query
        assert response.context["page"].paginator.count == 0


def test_catalogue_query_count_does_not_grow_with_rows(client, department):
    _points(department, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("risks:catalogue"))
    _points(department, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("risks:catalogue"))
    assert len(many) == len(few)


def test_heat_map_counts_and_constant_queries(client, department, other_department):
    _points(department, 2, likelihood=4, harm=5)
    _points(other_department, 1, likelihood=1, harm=1)
    response = client.get(reverse("risks:heatmap_json"))
    cells = {(x, y): n for x, y, n in response.json()["cells"]}
    assert cells[(4, 5)] == 2 and cells[(1, 1)] == 1 and response.json()["total"] == 3
    response = client.get(reverse("risks:heatmap_json") + "?department=SCJG")
    assert response.json()["total"] == 2
    assert client.get(reverse("risks:heatmap_json") + "?department=NOPE").status_code == 404
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("risks:heatmap")).status_code == 200
    _points(department, 15, likelihood=2, harm=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("risks:heatmap"))
    assert len(many) == len(few)


def test_power_page_colours_each_step_by_its_highest_grade(client, department):
    power = PowerFactory(department=department)
    chart = FlowchartFactory(power=power)
    first, second = chart.steps.order_by("order")[:2]
    post = PostFactory(department=department)
    RiskPointFactory(power=power, post=post, step=first, grade=Grade.C)
    RiskPointFactory(power=power, post=post, step=first, grade=Grade.A)
    RiskPointFactory(power=power, post=post, step=second, grade=Grade.B)
    RiskPointFactory(power=power, post=post, step=second, grade=Grade.A, status=RiskPointStatus.DRAFT)
    response = client.get(reverse("risks:power", args=[power.code]))
    assert response.status_code == 200
    assert dict((s.pk, g) for s, g in response.context["step_rows"] if g) == {first.pk: "A", second.pk: "B"}
    body = response.content.decode()
    assert "#c0392b" in body and "#e0a800" in body  # the SVG's step borders (dot is installed here)


def test_unpublished_power_risk_page_is_404_for_the_public(client, department):
    power = PowerFactory(department=department, status=PowerStatus.DRAFT)
    assert client.get(reverse("risks:power", args=[power.code])).status_code == 404


def test_declare_submit_confirm_in_the_browser(client, handler, inspector, department, declare_values):
    values = declare_values()
    client.force_login(handler)
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}
    response = client.post(reverse("risks:declare"), data)
    point = RiskPoint.objects.get()
    assert response.status_code == 302 and point.status == RiskPointStatus.DRAFT
    client.post(reverse("risks:submit", args=[point.pk]))
    point.refresh_from_db()
    assert point.status == RiskPointStatus.SUBMITTED
    assert client.post(reverse("risks:confirm", args=[point.pk]), {"note": ""}).status_code == 403
    client.force_login(inspector)
    client.post(reverse("risks:confirm", args=[point.pk]), {"note": "同意"})
    point.refresh_from_db()
    assert point.status == RiskPointStatus.CONFIRMED
    response = client.post(reverse("risks:confirm", args=[point.pk]), {"note": ""}, follow=True)
    assert "不能变更" in response.content.decode()


def test_declare_form_refuses_unbounded_scores(client, handler, declare_values):
    client.force_login(handler)
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in declare_values(harm="1E+999999999").items()}
    response = client.post(reverse("risks:declare"), data)
    assert response.status_code == 200 and "harm" in response.context["form"].errors
    assert not RiskPoint.objects.exists()


def test_post_list_prints_with_signature_and_acknowledges(client, department):
    point = _points(department, 1)[0]
    person = UserFactory(
        username="clerk2", roles=[roles.DEPT_HANDLER], department=department, posts=[point.post]
    )
    client.force_login(person)
    response = client.get(reverse("risks:post_list", args=[point.post_id]))
    assert response.status_code == 200 and "签认人" in response.content.decode()
    client.post(reverse("risks:acknowledge_list", args=[point.post_id]))
    response = client.get(reverse("risks:post_list", args=[point.post_id]))
    assert response.context["acknowledgement"].points == [point.code]
    outsider = UserFactory(username="o", roles=[roles.DEPT_HANDLER], department=PostFactory().department)
    client.force_login(outsider)
    assert client.get(reverse("risks:post_list", args=[point.post_id])).status_code == 403
    assert client.post(reverse("risks:acknowledge_list", args=[point.post_id])).status_code == 403


# --- the warning loop in the browser ---------------------------------------------------------------


@pytest.fixture
def loop(inspector, department, head):
    person = UserFactory(username="zhang", roles=[roles.DEPT_HANDLER], department=department)
    info, _ = services.record_information(
        by=inspector,
        source="manual",
        title="受理窗口收受礼品",
        content="来信反映",
        department=department,
        person=person,
    )
    services.assess_information(info, by=inspector, grade="B", assessment="属实")
    warning = services.issue_warning(info, by=inspector, content="苗头", requirements="整改", person=person)
    order = services.issue_order(info, by=inspector, plan="建立制度", deadline_days=5, warning=warning)
    return {"person": person, "info": info, "warning": warning, "order": order}


def test_alert_turned_into_information_with_one_click(client, inspector, department):
    alert = AlertFactory(department=department, kind=AlertKind.OVERDUE, title="超时报警：XK办件")
    client.force_login(inspector)
    assert "超时报警：XK办件" in client.get(reverse("risks:office")).content.decode()
    response = client.post(reverse("risks:from_alert", args=[alert.pk]))
    info = RiskInformation.objects.get()
    assert response.url == info.get_absolute_url()
    client.post(reverse("risks:from_alert", args=[alert.pk]))
    assert RiskInformation.objects.count() == 1


def test_full_loop_pages(client, inspector, head, department, loop):
    order = loop["order"]
    client.force_login(head)
    assert client.get(reverse("risks:order", args=[order.pk])).status_code == 200
    client.post(reverse("risks:answer_order", args=[order.pk]), {"rectification": "已整改到位"})
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED
    client.force_login(inspector)
    client.post(reverse("risks:close_order", args=[order.pk]), {"note": "核实"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.closed_on_time
    loop["info"].refresh_from_db()
    assert loop["info"].status == InformationStatus.WARNED


def test_issue_warning_and_order_pages(client, inspector, department):
    info, _ = services.record_information(
        by=inspector, source="manual", title="t", content="c", department=department
    )
    client.force_login(inspector)
    client.post(reverse("risks:assess", args=[info.pk]), {"grade": "B", "assessment": "较高"})
    client.post(
        reverse("risks:issue_warning", args=[info.pk]), {"level": "", "content": "c", "requirements": "r"}
    )
    response = client.post(
        reverse("risks:issue_order", args=[info.pk]), {"plan": "p", "deadline_days": "99999"}
    )
    assert response.status_code == 400 and "deadline_days" in response.context["form"].errors
    client.post(reverse("risks:issue_order", args=[info.pk]), {"plan": "p", "deadline_days": "5"})
    info.refresh_from_db()
    assert info.warnings.get().level == "yellow" and info.orders.count() == 1


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names live in compressed object streams)."""
    import re
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"".join(parts)


def test_pdfs_embed_a_chinese_font(client, inspector, loop):
    client.force_login(inspector)
    for name, obj in (("risks:warning_pdf", loop["warning"]), ("risks:order_pdf", loop["order"])):
        response = client.get(reverse(name, args=[obj.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"WenQuanYi" in _inflated(response.content)
        assert b"/FontFile" in _inflated(response.content)  # embedded, not merely named


def test_warning_to_a_person_is_hidden_from_colleagues(client, department, loop):
    colleague = UserFactory(username="colleague", roles=[roles.DEPT_HANDLER], department=department)
    client.force_login(colleague)
    assert client.get(reverse("risks:warning", args=[loop["warning"].pk])).status_code == 404
    client.force_login(loop["person"])
    assert client.get(reverse("risks:warning", args=[loop["warning"].pk])).status_code == 200


# --- the integrity file: the office and the person only ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("person", 200),
        ("inspector", 200),
        ("admin_user", 200),
        ("head", 403),
        ("colleague", 403),
        ("clerk", 403),
        ("legal", 403),
        ("integrator", 403),
        ("other_head", 403),
    ],
)
def test_integrity_file_visibility(
    request, client, department, other_department, inspector, loop, who, status
):
    person = loop["person"]
    AccountabilityRecord.objects.create(
        department=department, person=person, person_name="张", measure=AccountabilityMeasure.values[0],
        facts="超期办理", decided_on="2026-01-05", recorded_by=inspector,
    )  # fmt: skip
    DemocraticEvaluation.objects.create(
        person=person, department=department, period_start="2026-01-01", period_end="2026-06-30",
        respondents=10, satisfied=5, satisfaction=50, flagged=True, recorded_by=inspector,
    )  # fmt: skip
    users = {
        "person": person,
        "colleague": UserFactory(username="colleague", roles=[roles.DEPT_HANDLER], department=department),
        "other_head": UserFactory(
            username="other_head", roles=[roles.DEPT_HEAD], department=other_department
        ),
    }
    if who != "anonymous":
        client.force_login(users.get(who) or request.getfixturevalue(who))
    response = client.get(reverse("risks:integrity_file", args=[person.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert loop["warning"].number in body and loop["order"].number in body
        assert "超期办理" in body and "50.00%" in body


def test_the_office_shares_a_file_with_the_head_only(client, department, inspector, head, loop):
    person = loop["person"]
    url = reverse("risks:integrity_file", args=[person.pk])
    client.force_login(head)
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("risks:share_file", args=[person.pk]), {"viewer": head.pk, "reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(inspector)
    assert head.staff_profile.display_name in client.get(url).content.decode()  # offered as a viewer
    client.post(reverse("risks:share_file", args=[person.pk]), {"viewer": head.pk, "reason": ""})
    client.force_login(head)
    assert client.get(url).status_code == 403  # no reason, no share
    client.force_login(inspector)
    client.post(reverse("risks:share_file", args=[person.pk]), {"viewer": head.pk, "reason": "研究岗位调整"})
    client.force_login(head)
    assert client.get(url).status_code == 200
    colleague = UserFactory(username="colleague2", roles=[roles.DEPT_HANDLER], department=department)
    client.force_login(colleague)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "viewer, reason",
    [("abc", "理由"), (str(2**64), "理由"), ("1E+999999999", "理由"), ("a\x00b", "理由"), (None, "a\x00b"), (None, "x" * 201)],
)  # fmt: skip
def test_sharing_refuses_bad_input_with_a_message_not_a_500(client, inspector, head, loop, viewer, reason):
    """Found by the form fuzz test: a viewer id that is not a number was a 500; a NUL reason reached the db."""
    from risks.models import IntegrityFileShare

    client.force_login(inspector)
    url = reverse("risks:share_file", args=[loop["person"].pk])
    response = client.post(
        url, {"viewer": head.pk if viewer is None else viewer, "reason": reason}, follow=True
    )
    assert response.status_code == 200
    assert not IntegrityFileShare.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
