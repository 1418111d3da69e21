"""The power list's part of the public search (portal/search.py): powers and discretion standards.

A power is found by its name, uniform code, object (对象) and legal basis as the page shows it
(《document title》article label) and by the wording of the articles it cites (a cited article's
text never changes: ``save_legal_article`` refuses it); a discretion standard by its offence (违法行为), the fact it is
graded by and its power's name. Only what may be exercised is public:
published powers and the standards of published powers.
"""

from django.utils.translation import gettext_lazy as _

from portal import search
from portal.api.fields import choice_labels

from .choices import Category, PowerStatus
from .models import DiscretionStandard, Power


def _basis(articles) -> str:
    return " ".join(f"《{a.document.title}》{a.label}" for a in articles)


def power_texts(power: Power) -> list[str]:
    articles = list(power.legal_articles.select_related("document"))
    return [power.name, power.code, power.subject, _basis(articles), *(a.text for a in articles)]


def standard_texts(standard: DiscretionStandard) -> list[str]:
    # Not the power's code and legal basis: the power's own document holds them, and ten thousand
    # standards repeating them would double the index (a city seed's time).
    return [standard.title, standard.fact_label, standard.power.name]


def index_power(power: Power) -> None:
    """Index a power's name (the power list's search) and its public-search document. Called by the verbs."""
    search.index(power, power.name)
    search.index_document(power, *power_texts(power))
    for standard in power.standards.all():  # they carry its name
        standard.power = power
        index_standard(standard)


def index_standard(standard: DiscretionStandard) -> None:
    search.index_document(standard, *standard_texts(standard))


def public_powers():
    return Power.objects.filter(status=PowerStatus.PUBLISHED).select_related("department")


def public_standards():
    return DiscretionStandard.objects.filter(power__status=PowerStatus.PUBLISHED).select_related(
        "power", "power__department"
    )


def power_row(power: Power) -> dict:
    category = choice_labels(Category).get(power.category, power.category)  # not a lazy label per row
    return {
        "title": power.name,
        "code": power.code,
        "url": search.url_with_code("powers:detail", power.code),
        "meta": f"{category} · {power.department.name}",
    }


def standard_row(standard: DiscretionStandard) -> dict:
    power = standard.power
    return {
        "title": standard.title,
        "code": power.code,
        "url": search.url_with_code("powers:detail", power.code) + "#standards",
        "meta": f"{power.name} · {power.department.name}",
    }


def power_documents():
    """(pk, texts) of every power row: one query for the rows, one for their legal basis."""
    basis: dict[int, list[str]] = {}
    wording: dict[int, list[str]] = {}
    through = Power.legal_articles.through
    for power_id, title, label, text in through.objects.values_list(
        "power_id", "legalarticle__document__title", "legalarticle__label", "legalarticle__text"
    ).order_by("power_id", "legalarticle_id"):
        basis.setdefault(power_id, []).append(f"《{title}》{label}")
        wording.setdefault(power_id, []).append(text)
    for pk, name, code, subject in Power.objects.values_list("pk", "name", "code", "subject").iterator():
        yield pk, [name, code, subject, " ".join(basis.get(pk, [])), *wording.get(pk, [])]


def power_names():
    """(pk, [name]) of every power row: the power list's own search (as ``index_power`` indexes it)."""
    for pk, name in Power.objects.values_list("pk", "name").iterator():
        yield pk, [name]


def standard_documents():
    rows = DiscretionStandard.objects.values_list("pk", "title", "fact_label", "power__name")
    for pk, title, fact, power_name in rows.iterator():
        yield pk, [title, fact, power_name]


KINDS = [
    search.Kind(
        slug="powers",
        label=_("权力事项"),
        model=Power,
        public=public_powers,
        row=power_row,
        documents=power_documents,
        names=power_names,
        order=10,
        ordering=("code",),
    ),
    search.Kind(
        slug="standards",
        label=_("裁量基准"),
        model=DiscretionStandard,
        public=public_standards,
        row=standard_row,
        documents=standard_documents,
        order=20,
        ordering=("power__code", "pk"),
    ),
]
