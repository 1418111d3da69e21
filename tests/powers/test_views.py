"""The power list pages: the public catalogue (五公开) and the staff workbench, through the test client."""

import re

import graphviz
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from portal.choices import Level
from portal.models import AuditEvent
from powers import services
from powers.choices import Category, ChangeKind, PowerStatus
from powers.models import DiscretionStandard, Flowchart, Power
from tests.factories import DepartmentFactory, PostFactory, UserFactory
from tests.powers.factories import (
    HANGZHOU_BANDS,
    FlowchartFactory,
    FlowStepFactory,
    LegalArticleFactory,
    PowerFactory,
    hangzhou_standard,
)

pytestmark = pytest.mark.django_db

LIST = reverse("powers:list")


@pytest.fixture(autouse=True)
def fast_and_isolated(settings):
    # Autouse fixtures run before the persona fixtures, so their passwords hash fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The flowchart SVG is cached by pk + updated_at; keep each test's pictures to itself.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def listed_codes(response) -> set[str]:
    return {p.code for p in response.context["page"].object_list}


def verbs_for(power):
    return list(AuditEvent.objects.for_object(power).values_list("verb", flat=True))


def formset_data(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial,
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": "" if value is None else value for key, value in row.items()})
    return data


@pytest.fixture
def article(db):
    return LegalArticleFactory(document__title="中华人民共和国食品安全法", label="第三十五条",
                               text="国家对食品生产经营实行许可制度。")  # fmt: skip


@pytest.fixture
def published(department, article):
    power = PowerFactory(department=department, name="食品经营许可", category=Category.LICENSING,
                         articles=[article], result_form="食品经营许可证", complaint_channel="12345市民热线")  # fmt: skip
    chart = FlowchartFactory(power=power, steps=0)
    post = PostFactory(department=department, name="受理岗")
    FlowStepFactory(flowchart=chart, order=1, name="窗口受理", post=post, rules="一次性告知", duties="核对原件",
                    supervision_point="电子监察实时监控", complaint_channel="12388", time_limit_days=1)  # fmt: skip
    FlowStepFactory(flowchart=chart, order=2, name="审查决定", time_limit_days=9)
    return power


@pytest.fixture
def draft(department, article):
    return PowerFactory(
        department=department, name="食品小作坊登记", status=PowerStatus.DRAFT, articles=[article]
    )


# --- public pages ----------------------------------------------------------------------------


class TestPublicList:
    def test_anonymous_sees_published_current_powers_only(self, client, published, draft):
        response = client.get(LIST)
        assert response.status_code == 200
        assert listed_codes(response) == {published.code}
        page = text(response)
        assert "食品经营许可" in page and "食品小作坊登记" not in page
        assert published.department.name in page and "市级" in page

    @pytest.mark.parametrize("query", ["罚", "处罚", "许可", "餐饮", "XK-SCJG"])
    def test_search_by_one_or_two_characters_and_by_code(self, client, department, query):
        licence = PowerFactory(department=department, code="XK-SCJG-0101", name="餐饮服务许可")
        penalty = PowerFactory(department=department, category=Category.PENALTY, name="对无证经营的处罚")
        fine = PowerFactory(department=department, category=Category.PENALTY, name="罚没物品处置")
        expected = {
            "罚": {penalty.code, fine.code},
            "处罚": {penalty.code},
            "许可": {licence.code},
            "餐饮": {licence.code},
            "XK-SCJG": {licence.code},
        }[query]
        response = client.get(LIST, {"q": query})
        assert response.status_code == 200
        assert listed_codes(response) == expected

    def test_filters_by_department_category_and_level_with_facet_counts(self, client, department):
        district = DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)
        city_licence = PowerFactory(department=department, name="甲许可")
        city_penalty = PowerFactory(department=department, category=Category.PENALTY, name="乙处罚")
        district_penalty = PowerFactory(department=district, category=Category.PENALTY, name="丙处罚")

        assert listed_codes(client.get(LIST, {"department": "SCJG"})) == {
            city_licence.code,
            city_penalty.code,
        }
        assert listed_codes(client.get(LIST, {"level": Level.DISTRICT})) == {district_penalty.code}
        response = client.get(LIST, {"category": Category.PENALTY, "level": Level.CITY})
        assert listed_codes(response) == {city_penalty.code}
        # Facets count every category under the other filters (level=city), not only the chosen one.
        facets = {f["value"]: f["count"] for f in response.context["facets"]}
        assert facets[Category.PENALTY] == 1 and facets[Category.LICENSING] == 1
        assert len(facets) == 10

    @pytest.mark.parametrize(
        "params",
        [{"category": "bogus"}, {"level": "province"}, {"department": "NOPE"}, {"q": "许" * 51},
         {"status": "nonsense"}, {"code": "not-a-code"}, {"page": "x"}, {"versions": "some"}],
    )  # fmt: skip
    def test_invalid_filter_values_show_an_error_not_a_500(self, client, published, params):
        response = client.get(LIST, params)
        if "page" in params:
            assert response.status_code == 200  # a bad page number shows the first page
            return
        assert response.status_code == 400
        assert "筛选条件有误" in text(response)
        assert not response.context["page"].object_list

    def test_query_count_does_not_grow_with_rows(self, client, department):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(LIST, {"q": "事项"}).status_code == 200
            return len(ctx)

        for _ in range(5):
            PowerFactory(department=department, name="检查事项")
        few = count()
        other = DepartmentFactory(code="ZJJ2", name="住建局")
        for i in range(25):
            PowerFactory(department=other if i % 2 else department, name="许可事项")
        assert count() == few

    def test_the_page_searches_the_index_once(self, client, department):
        for i in range(3):
            PowerFactory(department=department, name=f"许可事项{i}")
        PowerFactory(department=department, name="检查事项")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, {"q": "许可"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 3
        assert sum("portal_searchtoken" in q["sql"] for q in ctx.captured_queries) == 1

    def test_staff_filter_on_status_shows_their_drafts(self, client, handler, published, draft):
        login(client, handler)
        assert listed_codes(client.get(LIST, {"status": PowerStatus.DRAFT})) == {draft.code}
        assert 'name="status"' in text(client.get(LIST))
        client.logout()
        assert listed_codes(client.get(LIST, {"status": PowerStatus.DRAFT})) == set()
        assert 'name="status"' not in text(client.get(LIST))


class TestPublicDetail:
    def test_five_publics_flowchart_picture_and_steps(self, client, published):
        response = client.get(reverse("powers:detail", args=[published.code]))
        assert response.status_code == 200
        page = text(response)
        for expected in ("食品经营许可", published.code, "行政许可", published.department.name, "市级",
                         "公民、法人和其他组织", "《中华人民共和国食品安全法》", "第三十五条", "国家对食品生产经营实行许可制度。",
                         "食品经营许可证", "12345市民热线", "窗口受理", "受理岗", "一次性告知", "核对原件",
                         "电子监察实时监控", "12388", "9 个工作日"):  # fmt: skip
            assert expected in page, expected
        assert '<svg role="img"' in page  # the flowchart drawn inline
        assert "<?xml" not in page

    def test_flowchart_svg(self, client, published):
        response = client.get(reverse("powers:flowchart_svg", args=[published.code]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert "窗口受理" in text(response)

    def test_flowchart_falls_back_to_text_without_dot(self, client, published, monkeypatch):
        monkeypatch.setattr(
            graphviz.Digraph, "pipe", lambda *a, **k: (_ for _ in ()).throw(OSError("no dot"))
        )
        page = text(client.get(reverse("powers:detail", args=[published.code])))
        assert 'class="flowchart-fallback"' in page and "窗口受理" in page
        assert client.get(reverse("powers:flowchart_svg", args=[published.code])).status_code == 503

    @pytest.mark.parametrize("code", ["XK-SCJG-9999", "xk-scjg-0001", "XK-SCJG-1", "../etc", "A" * 40])
    def test_unknown_or_malformed_code_is_404(self, client, published, code):
        assert client.get(f"/powers/{code}/").status_code == 404
        assert client.get(f"/powers/{code}/flowchart.svg").status_code == 404

    def test_drafts_are_404_to_the_public_and_visible_to_their_department(self, client, draft, handler):
        FlowchartFactory(power=draft)
        detail = reverse("powers:detail", args=[draft.code])
        assert client.get(detail).status_code == 404
        assert client.get(reverse("powers:flowchart_svg", args=[draft.code])).status_code == 404
        other = UserFactory(roles=[roles.DEPT_HANDLER], department=DepartmentFactory(code="ZJJ9"))
        login(client, other)
        assert client.get(detail).status_code == 404
        login(client, handler)
        response = client.get(detail)
        assert response.status_code == 200
        assert "未公布版本" in text(response)

    def test_script_bearing_fields_are_escaped(self, client, department):
        power = PowerFactory(department=department, name="<script>alert(1)</script>许可",
                             subject='"><img src=x onerror=alert(2)>')  # fmt: skip
        FlowStepFactory(
            flowchart=FlowchartFactory(power=power, steps=0), order=1, name="<script>alert(3)</script>"
        )
        page = text(client.get(reverse("powers:detail", args=[power.code])))
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;许可" in page

    def test_calculator_without_javascript(self, client, department):
        standard = hangzhou_standard(PowerFactory(department=department, category=Category.PENALTY))
        url = reverse("powers:detail", args=[standard.power.code])
        page = text(client.get(url, {"standard": standard.pk, "fact": "3"}))
        assert re.search(r"属第2档（一般）：处罚幅度 200 – 500 元", page)
        for band in HANGZHOU_BANDS:
            assert band["description"] in page
        for bad in ({"standard": standard.pk, "fact": "abc"}, {"standard": standard.pk, "fact": "-1"},
                    {"standard": 999999, "fact": "3"}, {"standard": "x", "fact": "3"}):  # fmt: skip
            response = client.get(url, bad)
            assert response.status_code == 200
            assert "处罚幅度 200" not in text(response)
        assert "该裁量基准不属于本事项" in text(client.get(url, {"standard": 999999, "fact": "3"}))

    def test_query_count_does_not_grow_with_steps_standards_and_articles(self, client, department):
        power = PowerFactory(department=department, category=Category.PENALTY, name="摆卖处罚")
        chart = FlowchartFactory(power=power, steps=2)
        hangzhou_standard(power)
        url = reverse("powers:detail", args=[power.code])

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert (
                    client.get(url, {"standard": power.standards.first().pk, "fact": "3"}).status_code == 200
                )
            return len(ctx)

        few = count()
        for order in range(3, 9):
            FlowStepFactory(
                flowchart=chart, order=order, name=f"环节{order}", post=PostFactory(department=department)
            )
        for _ in range(3):
            hangzhou_standard(power)
        power.legal_articles.add(*[LegalArticleFactory() for _ in range(4)])
        chart.save()  # a new picture for the new steps
        assert count() == few

    def test_history_and_delegation_banner(self, client, published, handler, legal, admin_user, department):
        district = DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)
        new = services.propose_delegation(published, by=handler, to_department=district, reason="简政放权")
        detail = reverse("powers:detail", args=[published.code])
        # While the delegation is pending the public page does not announce it.
        assert "已下放至" not in text(client.get(detail))
        services.submit_power(new, by=admin_user)
        services.approve_power(new, by=legal)
        services.publish_power(new, by=admin_user)
        page = text(client.get(detail))
        assert "本事项已下放" in page and "已下放至" in page and new.code in page
        assert district.name in page
        successor_page = text(client.get(reverse("powers:detail", args=[new.code])))
        assert "来源" in successor_page and published.code in successor_page
        assert "简政放权" in successor_page

    def test_revision_history_lists_versions(self, client, published, handler, legal, admin_user):
        revision = services.propose_revision(published, by=handler, reason="调整承诺时限")
        services.submit_power(revision, by=handler)
        services.approve_power(revision, by=legal)
        services.publish_power(revision, by=admin_user)
        detail = reverse("powers:detail", args=[published.code])
        response = client.get(detail)
        assert response.context["power"].version == 2
        assert [v.version for v in response.context["versions"]] == [2, 1]
        old = client.get(detail, {"version": 1})
        assert "这是历史版本" in text(old)
        assert client.get(detail, {"version": 7}).status_code == 404

    def test_abolished_banner(self, client, published, admin_user):
        services.abolish_power(published, by=admin_user, reason="上位法已废止")
        page = text(client.get(reverse("powers:detail", args=[published.code])))
        assert "本事项已废止" in page and "上位法已废止" in page


# --- staff pages -----------------------------------------------------------------------------


DECLARATION = {
    "name": "食品经营许可（新办）", "category": Category.LICENSING, "subject": "公民、法人和其他组织",
    "description": "对食品经营者的申请进行审查", "time_limit_days": "20", "promised_days": "10",
    "time_limit_unit": "working_days", "result_form": "食品经营许可证", "fee_basis": "不收费",
    "complaint_channel": "12345",
}  # fmt: skip


class TestStaffWorkflow:
    def test_declare_submit_approve_publish_through_the_pages(
        self, client, handler, legal, admin_user, department, article
    ):
        post = PostFactory(department=department, name="受理岗")
        login(client, handler)
        response = client.post(reverse("powers:declare"), {**DECLARATION, "legal_articles": [article.pk]})
        power = Power.objects.get(name="食品经营许可（新办）")
        assert response.status_code == 302 and response.url == reverse("powers:manage_power", args=[power.pk])
        assert power.status == PowerStatus.DRAFT and power.department == department
        assert power.code == "XK-SCJG-0001"

        steps = [
            {
                "name": "受理",
                "post": post.pk,
                "time_limit_days": 1,
                "supervision_point": "电子监察",
                "ORDER": 2,
            },
            {"name": "审查", "post": "", "time_limit_days": 5, "ORDER": 1},
            {"name": "", "post": "", "ORDER": 3},  # a blank extra row is ignored
        ]
        response = client.post(
            reverse("powers:edit_flowchart", args=[power.pk]), formset_data("steps", steps)
        )
        assert response.status_code == 302
        assert list(Flowchart.objects.get(power=power).steps.values_list("order", "name")) == [
            (1, "审查"),
            (2, "受理"),
        ]

        bands = [{**band, "fact_max": band["fact_max"] or ""} for band in HANGZHOU_BANDS]
        data = {"title": "超出门窗外墙经营", "fact_label": "占用面积", "fact_unit": "平方米", "amount_unit": "元",
                "requires_collective_discussion": "on", **formset_data("bands", bands)}  # fmt: skip
        assert client.post(reverse("powers:add_standard", args=[power.pk]), data).status_code == 302
        assert DiscretionStandard.objects.get(power=power).bands.count() == 4

        assert client.post(reverse("powers:submit", args=[power.pk])).status_code == 302
        login(client, legal)
        assert power.name in text(client.get(reverse("powers:manage")))  # in the review queue
        response = client.post(reverse("powers:approve", args=[power.pk]), {"note": "依据充分"})
        assert response.status_code == 302
        login(client, admin_user)
        assert power.name in text(client.get(reverse("powers:manage")))  # in the publish queue
        response = client.post(reverse("powers:publish", args=[power.pk]), follow=True)
        assert "已确认公布" in text(response)

        power.refresh_from_db()
        assert power.status == PowerStatus.PUBLISHED
        assert verbs_for(power) == ["power.declare", "power.flowchart", "power.standard", "power.submit",
                                    "power.approve", "power.publish"]  # fmt: skip
        client.logout()
        assert client.get(reverse("powers:detail", args=[power.code])).status_code == 200

    def test_legal_reviewer_returns_with_reasons(self, client, legal, handler, draft):
        services.submit_power(draft, by=handler)
        login(client, legal)
        response = client.post(reverse("powers:return", args=[draft.pk]), {"reason": ""})
        assert response.status_code == 200 and "reason" in response.context["form"].errors
        draft.refresh_from_db()
        assert draft.status == PowerStatus.SUBMITTED
        client.post(reverse("powers:return", args=[draft.pk]), {"reason": "法律依据不具体"})
        draft.refresh_from_db()
        assert draft.status == PowerStatus.RETURNED and draft.review_note == "法律依据不具体"
        login(client, handler)
        tab = client.get(reverse("powers:manage"), {"status": PowerStatus.RETURNED})
        assert "法律依据不具体" in text(tab)

    def test_refused_transitions_are_messages_not_errors(self, client, handler, admin_user, department):
        bare = PowerFactory(department=department, status=PowerStatus.DRAFT, articles=[])
        login(client, handler)
        response = client.post(reverse("powers:submit", args=[bare.pk]), follow=True)
        assert "必须列明法律依据" in text(response)
        bare.refresh_from_db()
        assert bare.status == PowerStatus.DRAFT
        login(client, admin_user)
        response = client.post(reverse("powers:publish", args=[bare.pk]), follow=True)
        assert response.status_code == 200 and "不能变更为" in text(response)
        bare.refresh_from_db()
        assert bare.status == PowerStatus.DRAFT

    def test_other_department_gets_403_and_nothing_changes(self, client, draft):
        stranger = UserFactory(roles=[roles.DEPT_HANDLER], department=DepartmentFactory(code="ZJJ"))
        login(client, stranger)
        for name in ("edit", "edit_flowchart", "add_standard", "manage_power"):
            assert client.get(reverse(f"powers:{name}", args=[draft.pk])).status_code == 403, name
        response = client.post(reverse("powers:edit", args=[draft.pk]), {**DECLARATION, "name": "篡改"})
        assert response.status_code == 403
        assert client.post(reverse("powers:submit", args=[draft.pk])).status_code == 403
        draft.refresh_from_db()
        assert draft.name == "食品小作坊登记" and draft.status == PowerStatus.DRAFT

    def test_roles_are_checked(self, client, clerk, draft, handler):
        assert client.get(reverse("powers:manage")).status_code == 302  # anonymous: to the login page
        login(client, clerk)
        assert client.get(reverse("powers:manage")).status_code == 403
        login(client, handler)
        services.submit_power(draft, by=handler)
        assert client.post(reverse("powers:approve", args=[draft.pk])).status_code == 403
        draft.refresh_from_db()
        assert draft.status == PowerStatus.SUBMITTED

    @pytest.mark.parametrize(
        "changes, message",
        [({"name": "许" * 201}, "201"), ({"name": "<script>alert(1)</script>"}, "不得包含 HTML"),
         ({"promised_days": "30"}, "承诺时限不能长于法定时限"), ({"category": "bogus"}, "bogus"),
         ({"description": "x" * 5001}, "5001")],  # unbounded until the form fuzz test found it
    )  # fmt: skip
    def test_bad_declaration_is_a_form_error_and_stores_nothing(
        self, client, handler, article, changes, message
    ):
        login(client, handler)
        response = client.post(
            reverse("powers:declare"), {**DECLARATION, "legal_articles": [article.pk], **changes}
        )
        assert response.status_code == 200
        assert message in text(response)
        assert not Power.objects.exists()
        assert not AuditEvent.objects.filter(verb="power.declare").exists()

    def test_article_search_refreshes_choices_without_saving(self, client, handler, article):
        other = LegalArticleFactory(document__title="城市市容和环境卫生管理条例", label="第十七条")
        login(client, handler)
        response = client.post(
            reverse("powers:declare"),
            {**DECLARATION, "article_q": "市容", "legal_articles": [article.pk], "search_articles": "1"},
        )
        assert response.status_code == 200 and not Power.objects.exists()
        choices = dict(response.context["form"].fields["legal_articles"].widget.choices)
        assert other.pk in choices and article.pk in choices  # found, and the chosen one kept
        assert "errorlist" not in text(response)

    def test_edit_draft_and_published_is_not_editable(self, client, handler, draft, published):
        login(client, handler)
        data = {
            **DECLARATION,
            "name": "食品小作坊登记（修改）",
            "legal_articles": [a.pk for a in draft.legal_articles.all()],
        }
        assert client.post(reverse("powers:edit", args=[draft.pk]), data).status_code == 302
        draft.refresh_from_db()
        assert draft.name == "食品小作坊登记（修改）" and draft.category == Category.LICENSING
        for name in ("edit", "edit_flowchart", "add_standard"):
            response = client.get(reverse(f"powers:{name}", args=[published.pk]))
            assert response.url == reverse("powers:manage_power", args=[published.pk]), name
        response = client.post(reverse("powers:edit_flowchart", args=[published.pk]), follow=True)
        assert "请先提出修订" in text(response)
        assert Flowchart.objects.get(power=published).steps.count() == 2

    def test_department_is_the_users_own_or_chosen_by_an_administrator(
        self, client, handler, admin_user, department, article
    ):
        other = DepartmentFactory(code="ZJJ")
        login(client, handler)
        data = {**DECLARATION, "legal_articles": [article.pk], "department": other.pk}
        client.post(reverse("powers:declare"), data)
        assert Power.objects.get().department == department  # the posted department is ignored
        login(client, admin_user)
        client.post(reverse("powers:declare"), {**data, "name": "住建局事项"})
        assert Power.objects.get(name="住建局事项").department == other

    def test_flowchart_post_must_belong_to_the_department(self, client, handler, draft):
        foreign = PostFactory(department=DepartmentFactory(code="ZJJ"), name="外单位岗位")
        login(client, handler)
        data = formset_data("steps", [{"name": "受理", "post": foreign.pk, "ORDER": 1}])
        response = client.post(reverse("powers:edit_flowchart", args=[draft.pk]), data)
        assert response.status_code == 200
        assert "post" in response.context["formset"].forms[0].errors
        assert not Flowchart.objects.filter(power=draft).exists()

    def test_band_errors_are_shown_and_nothing_is_stored(self, client, handler, draft):
        login(client, handler)
        bands = [
            {"severity": "轻微", "fact_min": "0", "fact_max": "2", "amount_min": "50", "amount_max": "200"},
            {"severity": "一般", "fact_min": "3", "fact_max": "", "amount_min": "200", "amount_max": "500"},
        ]
        data = {"title": "摆卖", "fact_label": "面积", "amount_unit": "元", **formset_data("bands", bands)}
        response = client.post(reverse("powers:add_standard", args=[draft.pk]), data)
        assert response.status_code == 200
        assert "不衔接" in text(response)
        assert not DiscretionStandard.objects.exists()

    def test_edit_and_remove_a_standard(self, client, handler, draft):
        standard = hangzhou_standard(draft)
        login(client, handler)
        edit = reverse("powers:edit_standard", args=[draft.pk, standard.pk])
        assert client.get(edit).status_code == 200
        bands = [
            {"severity": "唯一档", "fact_min": "0", "fact_max": "", "amount_min": "50", "amount_max": "2000"}
        ]
        data = {
            "title": "摆卖（合并档次）",
            "fact_label": "面积",
            "amount_unit": "元",
            **formset_data("bands", bands),
        }
        assert client.post(edit, data).status_code == 302
        standard.refresh_from_db()
        assert standard.title == "摆卖（合并档次）" and standard.bands.count() == 1
        assert client.post(reverse("powers:remove_standard", args=[draft.pk, standard.pk])).status_code == 302
        assert not DiscretionStandard.objects.exists()


class TestChangesToPublishedPowers:
    def test_revise_delegate_abolish_and_merge(self, client, handler, admin_user, department, published):
        district = DepartmentFactory(code="QSCJ", name="思明区市场监督管理局", level=Level.DISTRICT)
        login(client, handler)
        response = client.post(reverse("powers:revise", args=[published.pk]), {"reason": ""})
        assert (
            response.status_code == 200 and not Power.objects.filter(change_kind=ChangeKind.REVISION).exists()
        )
        response = client.post(reverse("powers:revise", args=[published.pk]), {"reason": "调整时限"})
        revision = Power.objects.get(code=published.code, version=2)
        assert response.url == reverse("powers:manage_power", args=[revision.pk])
        assert revision.status == PowerStatus.DRAFT and revision.change_reason == "调整时限"
        # A second change while one is pending is refused with the service's reason.
        response = client.post(reverse("powers:delegate", args=[published.pk]),
                               {"to_department": district.pk, "reason": "下放"})  # fmt: skip
        assert "已有待审核或草稿状态的变更" in text(response)
        # Only a lower level is offered and accepted.
        other = PowerFactory(department=department, name="特种设备使用登记")
        form = client.get(reverse("powers:delegate", args=[other.pk])).context["form"]
        assert list(form.fields["to_department"].queryset) == [district]
        response = client.post(
            reverse("powers:delegate", args=[other.pk]), {"to_department": district.pk, "reason": "下放"}
        )
        delegated = Power.objects.get(department=district)
        assert response.url == reverse("powers:manage_power", args=[delegated.pk])

        third = PowerFactory(department=department, name="计量器具检定")
        fourth = PowerFactory(department=department, name="计量器具校准")
        response = client.post(reverse("powers:merge"), {"powers": [third.pk], "name": "x", "reason": "y"})
        assert "至少需要选择两项" in text(response)
        response = client.post(reverse("powers:merge"),
                               {"powers": [third.pk, fourth.pk], "name": "计量器具检定校准", "reason": "合并同类"})  # fmt: skip
        merged = Power.objects.get(name="计量器具检定校准")
        assert merged.change_kind == ChangeKind.MERGER and response.status_code == 302

        assert client.post(reverse("powers:abolish", args=[third.pk]), {"reason": "x"}).status_code == 403
        login(client, admin_user)
        assert (
            client.post(reverse("powers:abolish", args=[published.pk]), {"reason": "上位法废止"}).status_code
            == 302
        )
        published.refresh_from_db()
        assert published.status == PowerStatus.ABOLISHED
        assert "power.abolished" in verbs_for(published)

    def test_workbench_query_count_does_not_grow_with_rows(self, client, handler, legal, department):
        def count(user):
            login(client, user)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("powers:manage")).status_code == 200
            return len(ctx)

        for _ in range(2):
            PowerFactory(department=department, status=PowerStatus.DRAFT)
            PowerFactory(department=department, status=PowerStatus.SUBMITTED)
        few = count(handler), count(legal)
        for _ in range(12):
            PowerFactory(department=department, status=PowerStatus.DRAFT)
            PowerFactory(department=department, status=PowerStatus.SUBMITTED)
        assert (count(handler), count(legal)) == few

    def test_workbench_tabs_count_by_status(self, client, handler, department, published, draft):
        login(client, handler)
        response = client.get(reverse("powers:manage"))
        tabs = {t["value"]: t["count"] for t in response.context["tabs"]}
        assert tabs[PowerStatus.DRAFT] == 1 and tabs[PowerStatus.PUBLISHED] == 1
        assert [p.pk for p in response.context["department_page"].object_list] == [draft.pk]
        assert client.get(reverse("powers:manage"), {"status": "bogus"}).status_code == 200


def test_manage_power_page_offers_actions_by_role(client, handler, legal, draft):
    url = reverse("powers:manage_power", args=[draft.pk])
    login(client, handler)
    page = text(client.get(url))
    assert reverse("powers:submit", args=[draft.pk]) in page
    assert reverse("powers:approve", args=[draft.pk]) not in page
    services.submit_power(draft, by=handler)
    login(client, legal)
    page = text(client.get(url))
    assert (
        reverse("powers:approve", args=[draft.pk]) in page
        and reverse("powers:return", args=[draft.pk]) in page
    )
