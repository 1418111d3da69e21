"""The demo data: the curated catalogue is built through the verbs; the city-scale loader is sound at 1%."""

from io import StringIO

import pytest

from portal import audit
from portal import demo as portal_demo
from portal.models import AuditEvent, Department
from powers import demo
from powers.choices import Category, PowerStatus
from powers.demo.city import seed_city
from powers.discretion import calculate, validate_bands
from powers.models import DiscretionStandard, Flowchart, LegalDocument, Power

pytestmark = pytest.mark.django_db


def test_curated_catalogue():
    portal_demo.seed(scale="small", stdout=StringIO())
    demo.seed(scale="small", stdout=StringIO())

    current = Power.objects.current()
    assert set(current.values_list("category", flat=True)) == set(Category.values)
    assert set(current.values_list("department__level", flat=True)) == {"city", "district", "town", "village"}
    assert set(Power.objects.values_list("status", flat=True)) == set(PowerStatus.values)
    assert LegalDocument.objects.filter(title="中华人民共和国行政许可法").exists()
    assert not Power.objects.filter(status__in=PowerStatus.values, legal_articles__isnull=True).exists()

    # The Hangzhou example ships and calculates: 3 m² → 200–500 yuan.
    standard = DiscretionStandard.objects.filter(
        title__startswith="店外店", power__status="published"
    ).first()
    assert calculate(standard.bands.all(), "3").amount_range == (200, 500)
    for each in DiscretionStandard.objects.prefetch_related("bands"):
        validate_bands(each.bands.all())

    chart = Flowchart.objects.filter(power__name="食品经营许可", power__status="published").get()
    steps = list(chart.steps.select_related("post"))
    assert 4 <= len(steps) <= 7 and all(s.post and s.complaint_channel and s.time_limit_days for s in steps)

    # Versions were made by the verbs: one revised, one abolished, one delegated, two merged.
    revised = Power.objects.filter(name="食品经营许可").order_by("version")
    assert [(p.version, p.status) for p in revised] == [(1, "superseded"), (2, "published")]
    assert Power.objects.filter(status=PowerStatus.DELEGATED).get().successor.department.code == "QSCJ"
    assert Power.objects.filter(status=PowerStatus.MERGED).count() == 2
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"power.declare", "power.approve", "power.publish", "power.return", "power.abolished"} <= verbs
    assert audit.verify_chain().ok

    # Running again changes nothing.
    before = Power.objects.count()
    demo.seed(scale="small", stdout=StringIO())
    assert Power.objects.count() == before


def test_city_scale_loader_at_one_percent():
    out = StringIO()
    counts = seed_city(out, factor=0.01)
    assert (
        counts["powers"] >= 80 and counts["legal_documents"] == 20 and counts["discretion_standards"] == 100
    )
    assert Department.objects.filter(level="village").count() > 100
    # At 1% the villages' small share rounds to nothing; the other three levels hold powers.
    assert {"city", "district", "town"} <= set(Power.objects.values_list("department__level", flat=True))
    assert (
        Power.objects.filter(is_current=True).values("code").distinct().count()
        == Power.objects.current().count()
    )
    for standard in DiscretionStandard.objects.prefetch_related("bands")[:50]:
        validate_bands(standard.bands.all())
    # Names are searchable, and the summary event is the only audit trace.
    sample = Power.objects.exclude(category="other").first()
    from portal import search

    assert search.search(Power.objects.all(), sample.name[1:3]).filter(pk=sample.pk).exists()
    assert AuditEvent.objects.get(verb="demo.seed_city").after["powers"] == counts["powers"]
    assert seed_city(StringIO(), factor=0.01) is None  # refuses to load twice
