"""Factories of the power list. They write rows directly (fast set-up); tests of the workflow call the verbs."""

from decimal import Decimal

import factory
from django.utils import timezone

from portal import search
from powers.choices import CATEGORY_CODE, Category, DocumentKind, PowerStatus
from powers.models import (
    PUBLIC_STATUSES,
    DiscretionBand,
    DiscretionStandard,
    Flowchart,
    FlowStep,
    LegalArticle,
    LegalDocument,
    Power,
)
from tests.factories import DepartmentFactory

CHINESE_NUMBERS = "一二三四五六七八九十"


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FL-{n:04d}")
    title = factory.Sequence(lambda n: f"测试管理条例{n}")
    kind = DocumentKind.LAW
    issuer = "全国人民代表大会常务委员会"


class LegalArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalArticle

    document = factory.SubFactory(LegalDocumentFactory)
    number = factory.Sequence(lambda n: n % 200 + 1)
    label = factory.LazyAttribute(lambda o: f"第{o.number}条")
    text = "违反本法规定的，由有关主管部门责令改正，给予警告，可以并处罚款。"


class PowerFactory(factory.django.DjangoModelFactory):
    """A power row. ``status`` defaults to published; ``articles`` (post-generation) sets its legal basis.

    Pass ``articles=[]`` for a power without legal basis; by default one article is created.
    """

    class Meta:
        model = Power
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    category = Category.LICENSING
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{CATEGORY_CODE[o.category]}-{o.department.code}-{n % 10000:04d}"
    )
    name = factory.Sequence(lambda n: f"测试事项{n}")
    status = PowerStatus.PUBLISHED
    subject = "公民、法人和其他组织"
    time_limit_days = 20
    promised_days = 10
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status in PUBLIC_STATUSES else None)

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        if not create:
            return
        articles = [LegalArticleFactory()] if extracted is None else extracted
        self.legal_articles.set(articles)
        search.index(self, self.name)


class FlowchartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flowchart
        skip_postgeneration_save = True

    power = factory.SubFactory(PowerFactory)
    note = "一项权力一个流程"

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if not create:
            return
        count = 4 if extracted is None else extracted
        for i in range(1, count + 1):
            FlowStepFactory(flowchart=self, order=i, name=f"第{CHINESE_NUMBERS[(i - 1) % 10]}环节")


class FlowStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlowStep

    flowchart = factory.SubFactory(FlowchartFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "受理"
    rules = "一次性告知申请人需补正的材料"
    duties = "当场核对材料原件"
    supervision_point = "纪检监察室实时监督"
    complaint_channel = "12345市民热线、12388纪检监察举报电话"
    time_limit_days = 1


class DiscretionStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscretionStandard

    power = factory.SubFactory(PowerFactory, category=Category.PENALTY)
    title = "店外店、超出门窗外墙摆卖经营"
    fact_label = "占用面积"
    fact_unit = "平方米"


class DiscretionBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscretionBand

    standard = factory.SubFactory(DiscretionStandardFactory)
    order = 1
    severity = "轻微"
    fact_min = Decimal("0")
    fact_max = None
    amount_min = Decimal("50")
    amount_max = Decimal("200")


# DOMAIN.md's Hangzhou example: goods displayed outside the shop, 50–2,000 yuan graded by area (m²).
HANGZHOU_BANDS = [
    {"severity": "轻微", "fact_min": Decimal("0"), "fact_max": Decimal("2"), "amount_min": Decimal("50"),
     "amount_max": Decimal("200"), "description": "占用面积不足2平方米"},
    {"severity": "一般", "fact_min": Decimal("2"), "fact_max": Decimal("5"), "amount_min": Decimal("200"),
     "amount_max": Decimal("500"), "description": "占用面积2平方米以上不足5平方米"},
    {"severity": "较重", "fact_min": Decimal("5"), "fact_max": Decimal("10"), "amount_min": Decimal("500"),
     "amount_max": Decimal("1000"), "description": "占用面积5平方米以上不足10平方米"},
    {"severity": "严重", "fact_min": Decimal("10"), "fact_max": None, "amount_min": Decimal("1000"),
     "amount_max": Decimal("2000"), "description": "占用面积10平方米以上"},
]  # fmt: skip


def hangzhou_standard(power=None) -> DiscretionStandard:
    """The Hangzhou standard with its four bands, on ``power`` (a new penalty power by default)."""
    standard = DiscretionStandardFactory(**({"power": power} if power is not None else {}))
    for order, band in enumerate(HANGZHOU_BANDS, start=1):
        DiscretionBandFactory(standard=standard, order=order, **band)
    return standard
