"""The public search over powers, discretion standards and service items (portal/search.py).

Recall is checked against a plain scan of the same public rows: over every one- and two-character
substring of the names, punctuation, codes and legal-basis words, nothing is missed and nothing extra.
"""

import pytest
from django.urls import reverse

from portal import search
from portal.models import Department
from powers import services as power_services
from powers.choices import Category, PowerStatus
from powers.models import DiscretionStandard, Power
from tests.approvals.factories import ServiceItemFactory
from tests.powers.factories import (
    DiscretionStandardFactory,
    LegalArticleFactory,
    LegalDocumentFactory,
    PowerFactory,
)

NAMES = [
    "食品经营许可",
    "建筑工程施工许可",
    "对无证经营的罚款",
    "对违法建设的处罚",
    "最低生活保障金给付",
    "许可证遗失补办",
    "农村宅基地审批（镇街）",
    "户外广告设置许可（镇街）",
    "村级公益事业补助（村居）",
    "对占道经营的处罚（镇街）",
]


@pytest.fixture
def catalogue(department):
    town = Department.objects.create(code="ZJ01", name="城关街道办事处", level="town")
    food_law = LegalDocumentFactory(code="FL-9001", title="中华人民共和国食品安全法")
    planning = LegalDocumentFactory(code="FL-9002", title="城乡规划条例")
    articles = [
        LegalArticleFactory(
            document=food_law,
            number=35,
            label="第三十五条",
            text="从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
        ),
        LegalArticleFactory(document=planning, number=64, label="第六十四条"),
    ]
    powers = []
    for i, name in enumerate(NAMES):
        dept = town if "（" in name else department
        category = Category.PENALTY if "罚" in name else Category.LICENSING
        powers.append(PowerFactory(department=dept, name=name, category=category, articles=[articles[i % 2]]))
    # Not public: a draft, and an old version of a code (the search lists what may be exercised).
    PowerFactory(department=department, name="食品生产许可（草稿）", status=PowerStatus.DRAFT, articles=[])
    PowerFactory(department=department, name="旧的食品许可", status=PowerStatus.SUPERSEDED, articles=[])
    for power in powers:
        if power.category == Category.PENALTY:
            DiscretionStandardFactory(
                power=power, title=f"{power.name[1:5]}（按面积分阶）", article=articles[1]
            )
    draft_penalty = PowerFactory(
        department=department, name="对食品违法的处罚", category=Category.PENALTY, status=PowerStatus.DRAFT
    )
    DiscretionStandardFactory(power=draft_penalty, title="食品违法（草稿中的基准）")
    for power in powers[:6]:
        ServiceItemFactory(power=power, name=f"{power.name}办理")
    ServiceItemFactory(power=powers[0], name="食品经营许可注销", is_active=False)
    search.reindex_all()
    return powers


def _texts(kind, obj):
    """An independent plain scan: the texts a visitor may look for, as the public pages show them."""

    def basis(articles):
        return " ".join(f"《{a.document.title}》{a.label}" for a in articles)

    if kind == "powers":
        articles = obj.legal_articles.all()
        return [obj.name, obj.code, obj.subject, basis(articles), *(a.text for a in articles)]
    if kind == "standards":
        return [obj.title, obj.fact_label, obj.power.name]
    return [obj.name, obj.code, obj.power.name]


_SCAN: dict = {}


def plain_scan(kind, query):
    words = query.lower().split()
    if kind not in _SCAN:
        _SCAN[kind] = _public_texts(kind)
    return {pk for pk, texts in _SCAN[kind] if words and all(any(w in t for t in texts) for w in words)}


def _public_texts(kind):
    public = {
        "powers": Power.objects.filter(status=PowerStatus.PUBLISHED),
        "standards": DiscretionStandard.objects.filter(power__status=PowerStatus.PUBLISHED),
        "items": search.get_kind("items").model.objects.filter(is_active=True),
    }[kind]
    return [(obj.pk, [t.lower() for t in _texts(kind, obj) if t]) for obj in public]


def found(kind, query):
    return set(search.matches(search.get_kind(kind), query).values_list("pk", flat=True))


@pytest.mark.django_db
def test_recall_equals_a_plain_scan(catalogue):
    _SCAN.clear()
    queries = set()
    for name in NAMES:
        queries.update(name)  # every character
        queries.update(name[i : i + 2] for i in range(len(name) - 1))  # every pair
    queries |= {
        "许可（镇街）", "（镇街）", "）", "（", "处罚（镇", "可许", "食品 许可", "许可  食品",
        "食品安全法", "《中华人民共和国食品安全法》第三十五条", "第六十四条", "规划条例", "法人", "组织",
        "xk-", "CF-", "ZJ01", "FW-T", "按面积", "办理", "注销", "草稿", "旧的", "不存在的事项",
        "餐饮服务", "依法取得许可", "食品销售、", "责令改正", "并处罚款", "餐饮 罚款", "许可 餐饮",
    }  # fmt: skip
    queries |= {p.code for p in catalogue} | {p.code.lower()[:6] for p in catalogue}
    misses = extras = 0
    for query in sorted(queries):
        for kind in ("powers", "standards", "items"):
            expected, got = plain_scan(kind, query), found(kind, query)
            misses += len(expected - got)
            extras += len(got - expected)
            assert got == expected, (kind, query)
    assert len(queries) > 100
    assert (misses, extras) == (0, 0)


@pytest.mark.django_db
def test_punctuation_is_part_of_the_substring(catalogue):
    names = set(Power.objects.filter(pk__in=found("powers", "许可（镇街）")).values_list("name", flat=True))
    assert names == {"户外广告设置许可（镇街）"}
    # The same words apart are found only when typed apart.
    apart = set(Power.objects.filter(pk__in=found("powers", "许可 镇街")).values_list("name", flat=True))
    # …including 农村宅基地审批（镇街）, whose cited article says 依法取得许可.
    assert apart == {"户外广告设置许可（镇街）", "农村宅基地审批（镇街）"}


@pytest.mark.django_db
def test_legal_basis_wording_finds_the_powers_citing_it(catalogue):
    """The cited articles' text is searched, not only the document's title and the article's label."""
    citing = {p.pk for p in catalogue[::2]}  # every other power cites the food-safety article
    assert found("powers", "餐饮服务") == citing
    assert found("powers", "经营 餐饮") == {p.pk for p in catalogue[::2] if "经营" in p.name}


@pytest.mark.django_db
def test_page_shows_where_a_row_matched_when_its_title_does_not(client, catalogue):
    response = client.get(reverse("portal:search"), {"q": "餐饮服务"})
    rows = response.context["rows"]
    assert len(rows) == len(catalogue[::2]) and all(r["snippet"][1] == "餐饮服务" for r in rows)
    assert "<mark>餐饮服务</mark>" in response.content.decode()
    named = client.get(reverse("portal:search"), {"q": "食品经营"}).context["rows"]
    assert named and all(r["snippet"] is None for r in named if "食品经营" in r["title"])


@pytest.mark.django_db
def test_only_published_rows_are_public(catalogue):
    assert not found("powers", "草稿") and not found("powers", "旧的")
    assert not found("standards", "草稿中")
    assert not found("items", "注销")


@pytest.mark.django_db
def test_verbs_keep_the_documents_fresh(department, handler):
    power = power_services.declare_power(
        by=handler, department=department, name="城市道路占用挖掘许可", category=Category.LICENSING
    )
    # A draft is indexed but not public until it is published.
    assert not found("powers", "挖掘")
    Power.objects.filter(pk=power.pk).update(status=PowerStatus.PUBLISHED)
    assert found("powers", "挖掘") == {power.pk}
    Power.objects.filter(pk=power.pk).update(status=PowerStatus.DRAFT)
    power_services.update_draft(Power.objects.get(pk=power.pk), by=handler, name="城市道路占用许可（镇街）")
    Power.objects.filter(pk=power.pk).update(status=PowerStatus.PUBLISHED)
    assert not found("powers", "挖掘")
    assert found("powers", "占用许可（") == {power.pk}


@pytest.mark.django_db
def test_page_groups_by_kind_and_pages_through(client, department):
    for i in range(45):
        PowerFactory(department=department, name=f"食品许可第{i}项", articles=[])
    ServiceItemFactory(power=Power.objects.first(), name="食品许可办理")
    search.reindex_all()
    response = client.get(reverse("portal:search"), {"q": "食品"})
    assert response.status_code == 200
    html = response.content.decode()
    counts = {k.slug: n for k, n in response.context["counts"]}
    assert counts == {"powers": 45, "standards": 0, "items": 1}
    assert len(response.context["rows"]) == 20
    # Follow the rendered 下一页 link to the last page, then the kind link.
    seen = {r["code"] for r in response.context["rows"]}
    for _ in range(2):
        next_href = response.context["page"].has_next() and reverse("portal:search") + _href(
            html, 'rel="next"'
        )
        response = client.get(next_href)
        html = response.content.decode()
        seen |= {r["code"] for r in response.context["rows"]}
    assert len(seen) == 45 and not response.context["page"].has_next()
    items_href = _href(html, "kind=items")
    response = client.get(reverse("portal:search") + items_href)
    assert [r["title"] for r in response.context["rows"]] == ["食品许可办理"]


def _href(html, marker):
    import re

    tags = re.findall(r"<a [^>]*>", html)
    tag = next(t for t in tags if marker in t)
    return re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")


@pytest.mark.django_db
def test_page_refuses_an_overlong_query_and_unknown_kind(client, db):
    assert client.get(reverse("portal:search"), {"q": "许" * 51}).status_code == 400
    assert client.get(reverse("portal:search"), {"q": "许", "kind": "nope"}).status_code == 400
    assert client.get(reverse("portal:search")).status_code == 200


@pytest.mark.django_db
def test_api_counts_and_pages(client, catalogue):
    _SCAN.clear()
    response = client.get("/api/v1/search/", {"q": "罚"})
    assert response.status_code == 200
    body = response.json()
    counts = {c["kind"]: c["count"] for c in body["counts"]}
    assert counts["powers"] == len(plain_scan("powers", "罚"))
    assert counts["standards"] == len(plain_scan("standards", "罚"))
    assert body["kind"] == "powers" and len(body["results"]) == counts["powers"]
    body = client.get("/api/v1/search/", {"q": "罚", "kind": "standards"}).json()
    assert {r["code"] for r in body["results"]} == set(
        DiscretionStandard.objects.filter(pk__in=plain_scan("standards", "罚")).values_list(
            "power__code", flat=True
        )
    )
    assert client.get("/api/v1/search/", {"q": "罚", "page": "0"}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "许" * 51}).status_code == 400
    # A page past the last is a 404 with the number of pages, as the paginated lists answer.
    assert client.get("/api/v1/search/", {"q": "罚", "page": body["pages"]}).status_code == 200
    past = client.get("/api/v1/search/", {"q": "罚", "page": body["pages"] + 1})
    assert past.status_code == 404 and str(body["pages"]) in past.json()["detail"]


@pytest.mark.django_db
def test_home_and_nav_link_the_search(client, db):
    html = client.get("/").content.decode()
    assert html.count(f'href="{reverse("portal:search")}"') >= 2  # the nav entry and the home page's link
    assert f'action="{reverse("portal:search")}"' in html


@pytest.mark.django_db
def test_reindex_search_rebuilds_the_name_indexes_too(catalogue):
    """One command rebuilds everything: a name index written by an older word splitting is replaced."""
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from portal.models import SearchDocument, SearchToken

    power, item = catalogue[0], search.get_kind("items").model.objects.get(name="食品经营许可办理")
    SearchToken.objects.filter(object_id__in=[power.pk, item.pk]).exclude(
        content_type=ContentType.objects.get_for_model(SearchDocument)
    ).delete()  # an old index that lost them…
    stale = SearchToken.objects.create(
        content_type=ContentType.objects.get_for_model(Power), object_id=power.pk, token="食品经营"
    )  # …and kept a whole word as one token
    assert not search.search(Power.objects.all(), "经营").filter(pk=power.pk).exists()
    call_command("reindex_search", stdout=io.StringIO())
    assert not SearchToken.objects.filter(pk=stale.pk).exists()
    assert search.search(Power.objects.all(), "经营").filter(pk=power.pk).exists()
    assert search.search(Power.objects.all(), "食品经营许可").filter(pk=power.pk).exists()
    items = search.get_kind("items").model.objects.all()
    assert search.search(items, "办理").filter(pk=item.pk).exists()
