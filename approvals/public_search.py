"""Service items (办事指南) in the public search (portal/search.py): found by name, item code and power name.

Only items in service (``is_active``) are public, as on /services/.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import search

from .models import ServiceItem


def index_item(item: ServiceItem) -> None:
    """Index the item's name for the service list's search and its public-search document. Called by the verbs."""
    search.index(item, item.name, item.power.name)
    search.index_document(item, item.name, item.code, item.power.name)


def public_items():
    return ServiceItem.objects.filter(is_active=True).select_related("department", "power")


def item_row(item: ServiceItem) -> dict:
    return {
        "title": item.name,
        "code": item.code,
        "url": search.url_with_code("approvals:item", item.code),
        "meta": f"{item.department.name} · "
        + gettext("承诺 %(days)s 个工作日") % {"days": item.promised_days},
    }


def item_documents():
    for pk, name, code, power_name in ServiceItem.objects.values_list(
        "pk", "name", "code", "power__name"
    ).iterator():
        yield pk, [name, code, power_name]


def item_names():
    """(pk, [name, power name]) of every item: the service list's own search (as ``index_item`` indexes it)."""
    for pk, name, power_name in ServiceItem.objects.values_list("pk", "name", "power__name").iterator():
        yield pk, [name, power_name]


KIND = search.Kind(
    slug="items",
    label=_("办事指南"),
    model=ServiceItem,
    public=public_items,
    row=item_row,
    documents=item_documents,
    names=item_names,
    order=30,
    ordering=("code",),
)
