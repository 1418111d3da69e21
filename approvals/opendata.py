"""The service centre's open datasets (service items, results) and its home-page figures.

Registered with portal (``portal.opendata``, ``portal.figures``) in ``ApprovalsConfig.ready``. The
results dataset is also the schema of the results list's CSV export.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.figures import Figure
from portal.opendata import Dataset, Field

from .models import ResultDisclosure, ServiceItem

RESULT_FIELDS = (
    Field("decision_number", _("决定文书号"), "string"),
    Field("kind", _("类别"), "string", _("license 行政许可；penalty 行政处罚")),
    Field("party_name", _("行政相对人"), "string", _("法人和其他组织为全称；自然人仅显示姓氏（如 王**）")),
    Field("party_credit_code", _("统一社会信用代码"), "string", _("自然人为空")),
    Field("matter", _("事项名称"), "string"),
    Field("power_code", _("权力事项编码"), "string"),
    Field("legal_basis", _("法律依据"), "string"),
    Field("result", _("决定结果"), "string"),
    Field("amount", _("罚款金额"), "decimal", _("仅行政处罚；单位见 amount_unit")),
    Field("amount_unit", _("金额单位"), "string"),
    Field("decided_on", _("决定日期"), "date"),
    Field("department_code", _("决定机关编码"), "string"),
    Field("department_name", _("决定机关"), "string"),
    Field("published_at", _("公示时间"), "datetime"),
    Field("withdrawn_at", _("撤销公示时间"), "datetime", _("决定经复议、诉讼被撤销时撤销公示")),
    Field("withdrawal_reason", _("撤销公示理由"), "string"),
)

ITEM_FIELDS = (
    Field("code", _("事项编码"), "string"),
    Field("name", _("事项名称"), "string"),
    Field("department_code", _("办理单位编码"), "string"),
    Field("department_name", _("办理单位"), "string"),
    Field("power_code", _("权力事项编码"), "string"),
    Field("statutory_days", _("法定时限(工作日)"), "integer"),
    Field("promised_days", _("承诺时限(工作日)"), "integer"),
    Field("is_online", _("可网上申请"), "boolean"),
    Field("conditions", _("受理条件"), "string"),
    Field("result_form", _("办理结果"), "string"),
)


def result_row(record: ResultDisclosure) -> dict:
    return {
        "decision_number": record.decision_number,
        "kind": record.kind,
        "party_name": record.party_name,
        "party_credit_code": record.party_credit_code,
        "matter": record.matter,
        "power_code": record.power.code,
        "legal_basis": record.legal_basis,
        "result": record.result,
        "amount": record.amount,
        "amount_unit": record.amount_unit,
        "decided_on": record.decided_on,
        "department_code": record.department.code,
        "department_name": record.department.name,
        "published_at": record.published_at,
        "withdrawn_at": record.withdrawn_at,
        "withdrawal_reason": record.withdrawal_reason,
    }


def result_rows():
    rows = (
        ResultDisclosure.objects.public().select_related("department", "power").order_by("published_at", "id")
    )
    return (result_row(r) for r in rows.iterator(chunk_size=2000))


def item_rows():
    items = ServiceItem.objects.filter(is_active=True).select_related("department", "power").order_by("code")
    for item in items.iterator(chunk_size=2000):
        yield {
            "code": item.code,
            "name": item.name,
            "department_code": item.department.code,
            "department_name": item.department.name,
            "power_code": item.power.code,
            "statutory_days": item.statutory_days,
            "promised_days": item.promised_days,
            "is_online": item.is_online,
            "conditions": item.conditions,
            "result_form": item.result_form,
        }


DATASETS = [
    Dataset(
        "service-items",
        _("服务事项"),
        _("行政服务中心在办的服务事项：时限、办理单位、是否可网上申请。"),
        ITEM_FIELDS,
        item_rows,
        order=20,
    ),  # fmt: skip
    Dataset(
        "results",
        _("行政许可和行政处罚结果"),
        _("已公示的行政许可和行政处罚决定（双公示），含已撤销的公示。"),
        RESULT_FIELDS,
        result_rows,
        order=30,
    ),  # fmt: skip
]


def home_figures() -> list[Figure]:
    """Results published in the last seven days (the other case figures come from monitoring)."""
    since = timezone.now() - timedelta(days=7)
    published = ResultDisclosure.objects.public().filter(published_at__gte=since).count()
    return [Figure("results_week", _("本周公示办理结果"), published, _("件"), reverse("approvals:results"))]
