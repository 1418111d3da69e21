"""Enumerated values of the power list and its workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The ten usual categories of administrative power."""

    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    LEVY = "levy", _("行政征收")
    BENEFIT = "benefit", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER = "other", _("其他行政权力")


# Code prefix per category in the uniform code (统一编码), e.g. XK-SCJG-0001.
CATEGORY_CODE = {
    Category.LICENSING: "XK",
    Category.PENALTY: "CF",
    Category.COERCION: "QZ",
    Category.LEVY: "ZS",
    Category.BENEFIT: "JF",
    Category.INSPECTION: "JC",
    Category.CONFIRMATION: "QR",
    Category.REWARD: "JL",
    Category.ADJUDICATION: "CJ",
    Category.OTHER: "QT",
}

# Uniform code: category prefix, department code, four-digit sequence.
CODE_REGEX = r"^(XK|CF|QZ|ZS|JF|JC|QR|JL|CJ|QT)-[A-Z0-9]{2,16}-\d{4}$"


class PowerStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报待审核")
    RETURNED = "returned", _("审核退回")
    APPROVED = "approved", _("法制审核通过")
    PUBLISHED = "published", _("已确认公布")
    SUPERSEDED = "superseded", _("已被新版本替代")
    ABOLISHED = "abolished", _("已废止")
    DELEGATED = "delegated", _("已下放")
    MERGED = "merged", _("已合并")


# The legal-review workflow (清权确权): declare -> review -> confirm and publish.
POWER_TRANSITIONS = {
    PowerStatus.DRAFT: {PowerStatus.SUBMITTED},
    PowerStatus.RETURNED: {PowerStatus.SUBMITTED},
    PowerStatus.SUBMITTED: {PowerStatus.APPROVED, PowerStatus.RETURNED},
    PowerStatus.APPROVED: {PowerStatus.PUBLISHED, PowerStatus.RETURNED},
    PowerStatus.PUBLISHED: {
        PowerStatus.SUPERSEDED,
        PowerStatus.ABOLISHED,
        PowerStatus.DELEGATED,
        PowerStatus.MERGED,
    },
}

EDITABLE_STATUSES = {PowerStatus.DRAFT, PowerStatus.RETURNED}
HISTORY_STATUSES = {PowerStatus.SUPERSEDED, PowerStatus.ABOLISHED, PowerStatus.DELEGATED, PowerStatus.MERGED}


class ChangeKind(models.TextChoices):
    """Why a version exists (权力事项变更类型)."""

    NEW = "new", _("新增")
    REVISION = "revision", _("修订")
    DELEGATION = "delegation", _("下放")
    MERGER = "merger", _("合并")


class StepKind(models.TextChoices):
    """What a flowchart step does (环节类型). Rules key on the kind, never on a step's name: the
    decision step (one per flowchart) is where a case is decided; steps after it deliver, execute
    or publish the decision."""

    INTAKE = "intake", _("受理")
    REVIEW = "review", _("审查")
    CHECK = "check", _("审核")
    DECISION = "decision", _("决定")
    DELIVERY = "delivery", _("送达")
    PUBLICATION = "publication", _("公开")
    OTHER = "other", _("其他")


class DocumentKind(models.TextChoices):
    LAW = "law", _("法律")
    ADMIN_REGULATION = "admin_regulation", _("行政法规")
    LOCAL_REGULATION = "local_regulation", _("地方性法规")
    DEPT_RULE = "dept_rule", _("部门规章")
    LOCAL_RULE = "local_rule", _("地方政府规章")
    NORMATIVE = "normative", _("规范性文件")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    NATURAL_DAYS = "natural_days", _("自然日")
