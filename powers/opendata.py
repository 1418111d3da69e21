"""The power list as open data and the home page's count of published powers (registered in ready())."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.figures import Figure
from portal.opendata import Dataset, Field

from .choices import Category
from .models import Power

POWER_FIELDS = (
    Field("code", _("统一编码"), "string", _("类别-单位编码-序号，跨版本不变")),
    Field("version", _("版本"), "integer"),
    Field("name", _("权力名称"), "string"),
    Field("category", _("权力类别"), "string", _("licensing、penalty、coercion 等十类")),
    Field("category_label", _("权力类别名称"), "string"),
    Field("department_code", _("实施主体编码"), "string"),
    Field("department_name", _("实施主体"), "string"),
    Field("subject", _("行使对象"), "string"),
    Field("time_limit_days", _("法定时限"), "integer"),
    Field("promised_days", _("承诺时限"), "integer"),
    Field("time_limit_unit", _("时限单位"), "string"),
    Field("result_form", _("办理结果"), "string"),
    Field("fee_basis", _("收费依据及标准"), "string"),
    Field("complaint_channel", _("投诉举报途径"), "string"),
    Field("url", _("公开页面"), "string"),
)


def power_rows():
    labels = dict(Category.choices)
    powers = Power.objects.exercisable().select_related("department").order_by("code")
    for power in powers.iterator(chunk_size=2000):
        yield {
            "code": power.code,
            "version": power.version,
            "name": power.name,
            "category": power.category,
            "category_label": labels.get(power.category, power.category),
            "department_code": power.department.code,
            "department_name": power.department.name,
            "subject": power.subject,
            "time_limit_days": power.time_limit_days,
            "promised_days": power.promised_days,
            "time_limit_unit": power.time_limit_unit,
            "result_form": power.result_form,
            "fee_basis": power.fee_basis,
            "complaint_channel": power.complaint_channel,
            "url": reverse("powers:detail", args=[power.code]),
        }


DATASET = Dataset(
    "powers", _("权力清单"), _("已公布的行政权力事项（现行版本）：名称、类别、实施主体、行使对象、时限和收费。"),
    POWER_FIELDS, power_rows, order=10,
)  # fmt: skip


def home_figures() -> list[Figure]:
    """Published powers, in all and by category (one grouped count)."""
    labels = dict(Category.choices)
    counts = dict(
        Power.objects.exercisable()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    parts = tuple((labels[c], counts[c]) for c in Category.values if counts.get(c))
    return [
        Figure("powers", _("公布的权力事项"), sum(counts.values()), _("项"), reverse("powers:list"), parts)
    ]
