"""The power-list API: public reads, token-guarded writes through the verbs, reasons on every refusal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal import roles
from portal.choices import Level
from portal.models import ApiToken
from portal.tokens import allows_write, issue_token
from powers.choices import Category, PowerStatus
from powers.models import DiscretionStandard, Power
from tests.factories import PASSWORD, DepartmentFactory, PostFactory, UserFactory
from tests.powers.factories import (
    HANGZHOU_BANDS,
    FlowchartFactory,
    LegalArticleFactory,
    LegalDocumentFactory,
    PowerFactory,
    hangzhou_standard,
)

pytestmark = pytest.mark.django_db


def client_for(user=None, scope=ApiToken.Scope.WRITE):
    client = APIClient()
    if user is not None and scope == ApiToken.Scope.WRITE and not allows_write(user):
        # Staff write through their signed-in session; write tokens are for integrators (portal.tokens).
        client.force_authenticate(user)
    elif user is not None:
        _, raw = issue_token(user, scope=scope)
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def published(department):
    power = PowerFactory(department=department, name="食品经营许可", category=Category.LICENSING)
    chart = FlowchartFactory(power=power, steps=0)
    post = PostFactory(
        department=department, name="受理岗", backup=PostFactory(department=department, name="受理B岗")
    )
    chart.steps.create(order=1, name="受理", post=post, complaint_channel="12345市民热线", time_limit_days=1)
    chart.steps.create(order=2, name="审查", time_limit_days=5)
    return power


@pytest.fixture
def draft(department):
    return PowerFactory(department=department, name="药品经营许可草稿", status=PowerStatus.DRAFT)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


class TestPublicReads:
    def test_anonymous_sees_published_powers_only(self, anon, published, draft):
        codes = [row["code"] for row in results(anon.get("/api/v1/powers/"))]
        assert codes == [published.code]
        assert anon.get(f"/api/v1/powers/{draft.code}/").status_code == 404

    def test_department_staff_see_their_own_drafts(self, handler, published, draft, other_department):
        foreign_draft = PowerFactory(department=other_department, status=PowerStatus.DRAFT)
        codes = {row["code"] for row in results(client_for(handler).get("/api/v1/powers/"))}
        assert codes == {published.code, draft.code}
        assert client_for(handler).get(f"/api/v1/powers/{foreign_draft.code}/").status_code == 404

    def test_detail_has_the_five_publics_and_history(self, anon, published):
        hangzhou_standard(published)
        body = anon.get(f"/api/v1/powers/{published.code}/").json()
        assert body["name"] == "食品经营许可" and body["department"]["code"] == "SCJG"
        assert body["legal_basis"][0]["document_title"].startswith("测试管理条例")
        assert body["legal_basis"][0]["label"] and body["legal_basis"][0]["text"]
        steps = body["flowchart"]["steps"]
        assert [s["name"] for s in steps] == ["受理", "审查"]
        assert steps[0]["post_name"] == "受理岗" and steps[0]["backup_post_name"] == "受理B岗"
        assert body["flowchart"]["total_days"] == 6
        assert [b["amount_max"] for b in body["standards"][0]["bands"]] == [
            "200.00",
            "500.00",
            "1000.00",
            "2000.00",
        ]
        assert [(v["version"], v["status"]) for v in body["versions"]] == [(1, "published")]

    def test_malformed_code_is_a_404_with_a_reason(self, anon):
        response = anon.get("/api/v1/powers/not-a-code/")
        assert response.status_code == 404
        assert "格式不正确" in response.json()["detail"]
        assert "没有统一编码" in anon.get("/api/v1/powers/XK-SCJG-9999/").json()["detail"]

    def test_filters(self, anon, published, other_department):
        district = DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)
        penalty = PowerFactory(department=district, name="对无证经营的罚款", category=Category.PENALTY)
        PowerFactory(department=other_department, name="建筑工程施工许可")

        def codes(query):
            return {row["code"] for row in results(anon.get(f"/api/v1/powers/?{query}"))}

        assert codes("category=penalty") == {penalty.code}
        assert codes("level=district") == {penalty.code}
        assert codes("department=SCJG") == {published.code}
        assert codes("q=许可") == {published.code, Power.objects.get(department=other_department).code}
        assert codes("q=罚") == {penalty.code}
        assert codes(f"q={published.code}") == {published.code}
        assert codes("q=许可&level=city&department=ZJJ") == {
            Power.objects.get(department=other_department).code
        }

    @pytest.mark.parametrize(
        ("query", "field"),
        [("category=bribery", "category"), ("level=province", "level"), ("status=secret", "status"),
         ("q=" + "许" * 51, "q"), ("department=NOPE", "department"), ("code=bad", "code")],
    )  # fmt: skip
    def test_bad_filter_values_are_400_with_a_reason(self, anon, query, field):
        response = anon.get(f"/api/v1/powers/?{query}")
        assert response.status_code == 400
        assert response.json()[field]

    def test_superseded_versions_are_listed_on_request(self, anon, published):
        old = PowerFactory(department=published.department, code="XK-SCJG-0777", status=PowerStatus.SUPERSEDED,
                           is_current=False, version=1)  # fmt: skip
        PowerFactory(department=published.department, code="XK-SCJG-0777", version=2)
        rows = results(anon.get("/api/v1/powers/?versions=all&code=XK-SCJG-0777"))
        assert [(r["version"], r["status"]) for r in rows] == [(2, "published"), (1, "superseded")]
        assert [r["version"] for r in results(anon.get("/api/v1/powers/?code=XK-SCJG-0777"))] == [2]
        body = anon.get(f"/api/v1/powers/{old.code}/?version=1").json()
        assert body["status"] == "superseded"

    def test_legal_documents_flowcharts_and_standards(self, anon, published, draft):
        document = published.legal_articles.get().document
        body = anon.get(f"/api/v1/legal-documents/{document.code}/").json()
        assert body["title"] == document.title and len(body["articles"]) == 1
        assert results(anon.get(f"/api/v1/legal-articles/?document={document.code}"))[0]["label"]
        chart = anon.get(f"/api/v1/flowcharts/{published.code}/").json()
        assert chart["power"] == published.code and len(chart["steps"]) == 2
        standard = hangzhou_standard(published)
        hangzhou_standard(draft)
        listed = results(anon.get("/api/v1/discretion-standards/"))
        assert [s["id"] for s in listed] == [standard.pk]
        assert (
            results(anon.get(f"/api/v1/discretion-standards/?power={published.code}"))[0]["id"] == standard.pk
        )
        assert results(anon.get("/api/v1/legal-documents/?kind=law&q=测试"))
        assert anon.get("/api/v1/legal-documents/?kind=treaty").status_code == 400


def test_list_rows_are_the_serializers_rows(anon, department, published, draft):
    """The list builds its rows from values() dicts; they equal PowerSerializer's, field for field."""
    from django.utils import timezone

    from powers.api.serializers import PowerSerializer

    published.published_at = timezone.now()
    published.save(update_fields=["published_at"])
    PowerFactory(department=DepartmentFactory(code="XZJD", level=Level.TOWN), category=Category.PENALTY)
    response = anon.get("/api/v1/powers/?versions=all")
    rows = results(response)
    request = response.wsgi_request
    expected = PowerSerializer(
        Power.objects.visible_to(None)
        .filter(code__in=[r["code"] for r in rows])
        .order_by("code", "-version"),
        many=True,
        context={"request": request},
    ).data
    assert len(rows) == 2 and rows == [dict(r) for r in expected]
    assert rows[0]["published_at"] and rows[0]["category_display"] and rows[0]["department"]["level_display"]


class TestCalculator:
    def test_anonymous_calculation_of_the_hangzhou_example(self, anon):
        standard = hangzhou_standard()
        response = anon.post(
            f"/api/v1/discretion-standards/{standard.pk}/calculate/", {"fact": "3"}, format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["band"]["severity"] == "一般"
        assert body["amount_range"] == ["200.00", "500.00"]
        assert (body["band"]["fact_min"], body["band"]["fact_max"]) == ("2.00", "5.00")
        assert body["fact"] == "3" and body["fact_unit"] == "平方米"

    @pytest.mark.parametrize("fact", ["abc", "", "-1", "1e999999"])
    def test_bad_input_is_400_with_reason(self, anon, fact):
        standard = hangzhou_standard()
        response = anon.post(
            f"/api/v1/discretion-standards/{standard.pk}/calculate/", {"fact": fact}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["fact"]

    def test_draft_standards_are_not_public(self, anon, draft):
        standard = hangzhou_standard(draft)
        response = anon.post(
            f"/api/v1/discretion-standards/{standard.pk}/calculate/", {"fact": "3"}, format="json"
        )
        assert response.status_code == 404


class TestWrites:
    def test_anonymous_and_read_only_tokens_cannot_write(self, anon, handler, department):
        payload = {"department": "SCJG", "name": "匿名申报", "category": "other"}
        assert anon.post("/api/v1/powers/", payload, format="json").status_code in (401, 403)
        response = client_for(handler, scope=ApiToken.Scope.READ).post(
            "/api/v1/powers/", payload, format="json"
        )
        assert response.status_code == 403 and "只读" in response.json()["detail"]
        assert not Power.objects.exists()

    def test_token_endpoint_then_the_whole_workflow(self, anon, handler, legal, admin_user, department):
        response = anon.post(
            "/api/v1/auth/token/", {"username": "handler", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 201, response.content
        # A handler's token is read-only (write tokens are for integrators: portal.tokens); staff write
        # with their signed-in session.
        assert response.json()["scope"] == "read"
        reader = APIClient()
        reader.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert (
            reader.post("/api/v1/powers/", {"department": "SCJG", "name": "x"}, format="json").status_code
            == 403
        )
        client = client_for(handler)
        article = LegalArticleFactory()

        created = client.post("/api/v1/powers/", {"department": "SCJG", "name": "食品经营许可", "category": "licensing",
                                                   "time_limit_days": 20, "promised_days": 10}, format="json")  # fmt: skip
        assert created.status_code == 201, created.content
        code = created.json()["code"]
        assert code == "XK-SCJG-0001" and created.json()["status"] == "draft"
        # Submitting without legal basis is refused with a reason.
        assert "法律依据" in str(client.post(f"/api/v1/powers/{code}/submit/").json())
        patched = client.patch(f"/api/v1/powers/{code}/", {"legal_articles": [article.pk]}, format="json")
        assert patched.status_code == 200 and patched.json()["legal_basis"][0]["id"] == article.pk

        steps = {
            "note": "",
            "steps": [{"name": "受理", "time_limit_days": 1}, {"name": "决定", "time_limit_days": 5}],
        }
        chart = client.put(f"/api/v1/powers/{code}/flowchart/", steps, format="json")
        assert chart.status_code == 200 and [s["order"] for s in chart.json()["steps"]] == [1, 2]

        assert client.post(f"/api/v1/powers/{code}/submit/").json()["status"] == "submitted"
        assert (
            client.post(f"/api/v1/powers/{code}/approve/").status_code == 403
        )  # a handler is not legal review
        publish_early = client_for(admin_user).post(f"/api/v1/powers/{code}/publish/")
        assert publish_early.status_code == 409 and publish_early.json()["code"] == "illegal_transition"
        assert (
            client_for(legal).post(f"/api/v1/powers/{code}/approve/", {"note": "依据充分"}).status_code == 200
        )
        published = client_for(admin_user).post(f"/api/v1/powers/{code}/publish/")
        assert published.status_code == 200 and published.json()["status"] == "published"
        assert APIClient().get(f"/api/v1/powers/{code}/").json()["flowchart"]["total_days"] == 6

    def test_return_needs_a_reason(self, handler, legal, draft):
        client_for(handler).post(f"/api/v1/powers/{draft.code}/submit/")
        response = client_for(legal).post(f"/api/v1/powers/{draft.code}/return/", {}, format="json")
        assert response.status_code == 400 and response.json()["reason"]
        ok = client_for(legal).post(
            f"/api/v1/powers/{draft.code}/return/", {"reason": "依据不全"}, format="json"
        )
        assert ok.json()["status"] == "returned" and ok.json()["review_note"] == "依据不全"

    def test_bad_write_input(self, handler, draft):
        client = client_for(handler)
        bad_category = client.post(
            "/api/v1/powers/", {"department": "SCJG", "name": "x", "category": "bribery"}
        )
        assert bad_category.status_code == 400 and bad_category.json()["category"]
        script = client.patch(
            f"/api/v1/powers/{draft.code}/", {"name": "<script>alert(1)</script>"}, format="json"
        )
        assert script.status_code == 400 and script.json()["name"]
        moved = client.patch(f"/api/v1/powers/{draft.code}/", {"department": "ZJJ"}, format="json")
        assert moved.status_code == 400
        assert Power.objects.get(pk=draft.pk).name == "药品经营许可草稿"

    def test_other_departments_cannot_touch_a_power(self, published, other_department):
        outsider = UserFactory(
            username="handler_zjj", roles=[roles.DEPT_HANDLER], department=other_department
        )
        response = client_for(outsider).post(f"/api/v1/powers/{published.code}/revise/", {"reason": "越权"})
        assert response.status_code == 403
        assert Power.objects.filter(code=published.code).count() == 1

    def test_revise_abolish_delegate_merge(self, handler, legal, admin_user, published, department):
        client = client_for(handler)
        revised = client.post(
            f"/api/v1/powers/{published.code}/revise/", {"reason": "上位法修订"}, format="json"
        )
        assert revised.status_code == 201 and revised.json()["version"] == 2
        # PATCH and submit work on the pending version; the public still reads version 1.
        assert (
            client.patch(f"/api/v1/powers/{published.code}/", {"name": "食品经营许可（修订）"}).status_code
            == 200
        )
        client.post(f"/api/v1/powers/{published.code}/submit/")
        client_for(legal).post(f"/api/v1/powers/{published.code}/approve/")
        assert APIClient().get(f"/api/v1/powers/{published.code}/").json()["version"] == 1
        client_for(admin_user).post(f"/api/v1/powers/{published.code}/publish/")
        body = APIClient().get(f"/api/v1/powers/{published.code}/").json()
        assert body["version"] == 2 and body["name"] == "食品经营许可（修订）"
        assert [(v["version"], v["status"]) for v in body["versions"]] == [
            (1, "superseded"),
            (2, "published"),
        ]

        district = DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)
        delegated = client.post(f"/api/v1/powers/{published.code}/delegate/",
                                {"to_department": "QSCJ", "reason": "下放区级"}, format="json")  # fmt: skip
        assert delegated.status_code == 201 and delegated.json()["department"]["code"] == district.code
        assert client.post(f"/api/v1/powers/{published.code}/delegate/", {"to_department": "NOPE", "reason": "x"},
                           format="json").status_code == 400  # fmt: skip

        a, b, c = (PowerFactory(department=department) for _ in range(3))
        merged = client.post("/api/v1/powers/merge/", {"codes": [a.code, b.code], "name": "合并事项", "reason": "合并"},
                             format="json")  # fmt: skip
        assert merged.status_code == 201 and merged.json()["change_kind"] == "merger"
        missing = client.post("/api/v1/powers/merge/", {"codes": [a.code, "XK-SCJG-9999"], "name": "x", "reason": "y"},
                              format="json")  # fmt: skip
        assert missing.status_code == 400 and "XK-SCJG-9999" in str(missing.json())

        assert client.post(f"/api/v1/powers/{c.code}/abolish/", {"reason": "废止"}).status_code == 403
        abolished = client_for(admin_user).post(f"/api/v1/powers/{c.code}/abolish/", {"reason": "上位法废止"})
        assert abolished.status_code == 200 and abolished.json()["status"] == "abolished"

    def test_flowchart_of_a_published_power_cannot_be_replaced(self, handler, published):
        response = client_for(handler).put(f"/api/v1/powers/{published.code}/flowchart/",
                                           {"steps": [{"name": "受理"}]}, format="json")  # fmt: skip
        assert response.status_code == 400
        assert "修订" in str(response.json())

    def test_standards_create_replace_delete(self, handler, department):
        draft = PowerFactory(department=department, status=PowerStatus.DRAFT, category=Category.PENALTY)
        client = client_for(handler)
        bands = [{k: (str(v) if v is not None else None) for k, v in band.items()} for band in HANGZHOU_BANDS]
        payload = {
            "title": "店外店、超出门窗外墙摆卖经营",
            "fact_label": "占用面积",
            "fact_unit": "平方米",
            "bands": bands,
        }
        created = client.post(f"/api/v1/powers/{draft.code}/standards/", payload, format="json")
        assert created.status_code == 201, created.content
        standard_id = created.json()["id"]
        gap = {**payload, "bands": [bands[0], bands[2]]}
        refused = client.put(f"/api/v1/discretion-standards/{standard_id}/", gap, format="json")
        assert refused.status_code == 400 and "衔接" in str(refused.json())
        assert DiscretionStandard.objects.get().bands.count() == 4
        replaced = client.put(f"/api/v1/discretion-standards/{standard_id}/", {**payload, "bands": bands[:2]},
                              format="json")  # fmt: skip
        assert replaced.status_code == 200 and len(replaced.json()["bands"]) == 2
        assert client.delete(f"/api/v1/discretion-standards/{standard_id}/").status_code == 204
        assert not DiscretionStandard.objects.exists()


class TestQueryCounts:
    """List endpoints keep a constant number of queries as rows grow."""

    def count(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    def make_rows(self, department, n):
        for _ in range(n):
            power = PowerFactory(department=department, category=Category.PENALTY)
            FlowchartFactory(power=power, steps=3)
            hangzhou_standard(power)

    @pytest.mark.parametrize(
        "url",
        ["/api/v1/powers/", "/api/v1/powers/?q=测试&level=city", "/api/v1/flowcharts/",
         "/api/v1/discretion-standards/", "/api/v1/legal-documents/", "/api/v1/legal-articles/"],
    )  # fmt: skip
    def test_list_query_count_is_constant(self, anon, department, url):
        self.make_rows(department, 2)
        few = self.count(anon, url)
        self.make_rows(department, 6)
        assert self.count(anon, url) == few

    def test_powers_list_query_count_for_staff(self, handler, department):
        client = client_for(handler)
        client.get("/api/v1/powers/")  # the token's first use records last_used_at once
        self.make_rows(department, 2)
        few = self.count(client, "/api/v1/powers/")
        self.make_rows(department, 6)
        assert self.count(client, "/api/v1/powers/") == few

    def test_power_detail_query_count_does_not_grow_with_steps_and_standards(self, anon, department):
        power = PowerFactory(department=department, category=Category.PENALTY)
        FlowchartFactory(power=power, steps=2)
        hangzhou_standard(power)
        few = self.count(anon, f"/api/v1/powers/{power.code}/")
        FlowchartFactory._meta.model.objects.filter(power=power).delete()
        FlowchartFactory(power=power, steps=7)
        for _ in range(3):
            hangzhou_standard(power)
        power.legal_articles.add(*[LegalArticleFactory(document=LegalDocumentFactory()) for _ in range(3)])
        assert self.count(anon, f"/api/v1/powers/{power.code}/") == few
