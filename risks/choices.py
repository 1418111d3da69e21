"""Enumerated values of the integrity-risk app and its explicit transition maps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskType(models.TextChoices):
    """The three kinds of integrity risk (风险类型)."""

    MORAL = "moral", _("思想道德")
    INSTITUTIONAL = "institutional", _("制度机制")
    OPERATIONAL = "operational", _("业务操作")


class DiscoverySource(models.TextChoices):
    """How a risk point was found (查点): the five ways plus complaints, audits and inspections."""

    SELF = "self", _("自己找")
    PUBLIC = "public", _("群众提")
    LEADER = "leader", _("领导点")
    DEPUTIES = "deputies", _("代表评")
    ORGANISATION = "organisation", _("组织审")
    COMPLAINT = "complaint", _("投诉")
    AUDIT = "audit", _("审计")
    INSPECTION = "inspection", _("巡察")


class Holder(models.TextChoices):
    """Who exercises the power at this point (used by the override rules: held by the unit head → A)."""

    HEAD = "head", _("单位主要负责人直接行使")
    DEPUTY = "deputy", _("分管领导行使")
    STAFF = "staff", _("一般工作人员行使")


class Grade(models.TextChoices):
    """Risk grade (风险等级): A red, B yellow, C blue."""

    A = "A", _("A级(红色)")
    B = "B", _("B级(黄色)")
    C = "C", _("C级(蓝色)")


GRADE_COLOUR = {Grade.A: "red", Grade.B: "yellow", Grade.C: "blue"}
GRADE_HEX = {Grade.A: "#c0392b", Grade.B: "#e0a800", Grade.C: "#2f6fb3"}
GRADE_RANK = {Grade.A: 3, Grade.B: 2, Grade.C: 1}


class RiskPointStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报待确认")
    RETURNED = "returned", _("退回修改")
    CONFIRMED = "confirmed", _("已确认")


# Like the powers' legal review: declare -> submit -> the inspection office confirms or returns;
# a confirmed point is revised by opening a new draft version.
RISK_POINT_TRANSITIONS = {
    RiskPointStatus.DRAFT: {RiskPointStatus.SUBMITTED},
    RiskPointStatus.RETURNED: {RiskPointStatus.SUBMITTED},
    RiskPointStatus.SUBMITTED: {RiskPointStatus.CONFIRMED, RiskPointStatus.RETURNED},
    RiskPointStatus.CONFIRMED: {RiskPointStatus.DRAFT},
}
EDITABLE_STATUSES = {RiskPointStatus.DRAFT, RiskPointStatus.RETURNED}

# The four grading factors, each scored 1..SCORE_MAX.
SCORE_FIELDS = ("likelihood", "harm", "frequency", "discretion")
SCORE_MIN, SCORE_MAX = 1, 5


class InformationSource(models.TextChoices):
    """Where a piece of risk information came from (信息收集)."""

    MANUAL = "manual", _("人工录入")
    ALERT = "alert", _("电子监察预警")
    COMPLAINT = "complaint", _("投诉举报")
    AUDIT = "audit", _("审计")
    INSPECTION = "inspection", _("巡察")


class InformationStatus(models.TextChoices):
    RECORDED = "recorded", _("已收集待评估")
    ASSESSED = "assessed", _("已评估")
    WARNED = "warned", _("已预警")
    DISMISSED = "dismissed", _("不予预警")


INFORMATION_TRANSITIONS = {
    InformationStatus.RECORDED: {InformationStatus.ASSESSED, InformationStatus.DISMISSED},
    InformationStatus.ASSESSED: {
        InformationStatus.WARNED,
        InformationStatus.DISMISSED,
        InformationStatus.ASSESSED,
    },
    InformationStatus.WARNED: {InformationStatus.WARNED},  # further notices on the same information
}


class WarningLevel(models.TextChoices):
    """The three warning colours (三级预警)."""

    RED = "red", _("红色预警")
    YELLOW = "yellow", _("黄色预警")
    BLUE = "blue", _("蓝色预警")


LEVEL_OF_GRADE = {Grade.A: WarningLevel.RED, Grade.B: WarningLevel.YELLOW, Grade.C: WarningLevel.BLUE}


class WarningStatus(models.TextChoices):
    ISSUED = "issued", _("已发出")
    ACKNOWLEDGED = "acknowledged", _("已签收")


WARNING_TRANSITIONS = {WarningStatus.ISSUED: {WarningStatus.ACKNOWLEDGED}}


class OrderStatus(models.TextChoices):
    """A supervision order (廉政风险督办书) and the department's rectification (跟踪反馈)."""

    ISSUED = "issued", _("待整改")
    ANSWERED = "answered", _("已报整改待核实")
    RETURNED = "returned", _("核实退回重新整改")
    CLOSED = "closed", _("核实办结")


ORDER_TRANSITIONS = {
    OrderStatus.ISSUED: {OrderStatus.ANSWERED},
    OrderStatus.RETURNED: {OrderStatus.ANSWERED},
    OrderStatus.ANSWERED: {OrderStatus.CLOSED, OrderStatus.RETURNED},
}
AWAITING_RECTIFICATION = {OrderStatus.ISSUED, OrderStatus.RETURNED}

# Timer purpose of a supervision order's rectification deadline (monitoring.timers).
ORDER_TIMER = "risk_order"
MAX_DEADLINE_DAYS = 60


class ReviewStatus(models.TextChoices):
    """A department's quarterly self-review of its risk points (季度自查, 组织监督)."""

    OPEN = "open", _("待自查")
    SUBMITTED = "submitted", _("已报送")
    ACCEPTED = "accepted", _("已审阅")


REVIEW_TRANSITIONS = {
    ReviewStatus.OPEN: {ReviewStatus.SUBMITTED},
    ReviewStatus.SUBMITTED: {ReviewStatus.ACCEPTED, ReviewStatus.OPEN},
}
REVIEW_TIMER = "risk_self_review"

# Half-yearly democratic evaluation (民主评议): below this satisfaction the person is flagged for
# the office's decision on transfer or removal — recorded, never automatic.
SATISFACTION_FLAG_BELOW = 60


class EvaluationDecision(models.TextChoices):
    NONE = "", _("未决定")
    KEEP = "keep", _("继续留任，诫勉谈话")
    TRANSFER = "transfer", _("调整岗位")
    REMOVE = "remove", _("免职")


class Relation(models.TextChoices):
    """Declared relations (防止利益冲突)."""

    SPOUSE = "spouse", _("配偶")
    RELATIVE = "relative", _("近亲属")
    FORMER_EMPLOYER = "former_employer", _("原工作单位")
    BUSINESS = "business", _("经营或持股企业")


class Clarity(models.TextChoices):
    """The ten clarities (十明确) each unit must reach."""

    LEADING_GROUP = "leading_group", _("领导小组")
    WORK_PLAN = "work_plan", _("工作方案")
    KEY_POSTS = "key_posts", _("重点岗位和关键环节")
    RISK_POINTS = "risk_points", _("风险点及等级")
    RESPONSIBLE = "responsible", _("责任人和风险告知")
    COMMITMENTS = "commitments", _("廉洁自律承诺")
    FLOWCHARTS = "flowcharts", _("权力运行流程图")
    JOINT_REVIEW = "joint_review", _("会审会制度")
    AB_POSTS = "ab_posts", _("A、B岗制度")
    PREVENTION = "prevention", _("防控制度和监控措施")


# Clarities that cannot be computed from the data: ticked with evidence.
EVIDENCED_CLARITIES = {Clarity.LEADING_GROUP, Clarity.WORK_PLAN, Clarity.JOINT_REVIEW}
