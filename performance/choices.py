"""Enumerated values of the performance appraisal (绩效考评) and their transition maps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YearStatus(models.TextChoices):
    OPEN = "open", _("考评中")
    COMPUTED = "computed", _("已计分")
    PUBLISHED = "published", _("已公布")


# Computing again before publication is allowed (idempotent); publishing freezes the year.
YEAR_TRANSITIONS = {
    YearStatus.OPEN: {YearStatus.COMPUTED},
    YearStatus.COMPUTED: {YearStatus.COMPUTED, YearStatus.PUBLISHED},
    YearStatus.PUBLISHED: set(),
}


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Rule(models.TextChoices):
    LINEAR = "linear", _("目标值与底线值间线性计分")
    BANDS = "bands", _("分档计分")
    PASS_FAIL = "pass_fail", _("达标/不达标")


class Source(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    ENTERED = "entered", _("填报核定")
    PUBLIC = "public", _("公众评议")


class RaterKind(models.TextChoices):
    """The ten kinds of public raters (Xiamen)."""

    DEPUTIES = "deputies", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    RESIDENTS = "residents", _("城乡居民")
    ENTERPRISES = "enterprises", _("企业代表")
    SERVICE_USERS = "service_users", _("重点服务对象")
    ONLINE = "online", _("网上评议")
    CONDUCT = "conduct", _("作风评议")
    PARTY_GOV_MUTUAL = "party_gov_mutual", _("党政机关互评")
    CITY_DISTRICT_MUTUAL = "city_district_mutual", _("市区机关互评")
    ON_SITE = "on_site", _("现场评议")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


# 一般 and 差 cannot receive a year-end award.
NO_AWARD_GRADES = (Grade.AVERAGE, Grade.POOR)


class Vote(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("比较满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class CriterionStatus(models.TextChoices):
    """A unit's key-task criteria (Shenyang's first step): declared, then approved or returned."""

    DECLARED = "declared", _("已申报")
    APPROVED = "approved", _("已核定")
    RETURNED = "returned", _("已退回")


CRITERION_TRANSITIONS = {
    CriterionStatus.DECLARED: {CriterionStatus.APPROVED, CriterionStatus.RETURNED},
    CriterionStatus.RETURNED: {CriterionStatus.DECLARED},
    CriterionStatus.APPROVED: set(),
}


class EntryStatus(models.TextChoices):
    """An entered figure: submitted by a unit with evidence, checked by the appraisal office."""

    SUBMITTED = "submitted", _("待核定")
    CHECKED = "checked", _("已核定")
    RETURNED = "returned", _("已退回")


ENTRY_TRANSITIONS = {
    EntryStatus.SUBMITTED: {EntryStatus.CHECKED, EntryStatus.RETURNED},
    EntryStatus.RETURNED: {EntryStatus.SUBMITTED},
    EntryStatus.CHECKED: set(),
}


class RectificationStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待提交整改报告")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已验收")


RECTIFICATION_TRANSITIONS = {
    RectificationStatus.ASSIGNED: {RectificationStatus.SUBMITTED},
    RectificationStatus.SUBMITTED: {RectificationStatus.ACCEPTED, RectificationStatus.ASSIGNED},
    RectificationStatus.ACCEPTED: set(),
}

# The monitoring timer purpose of a rectification report's deadline.
RECTIFICATION_TIMER = "appraisal_rectification"
