"""Every enumerated value of the complaint platform, and the explicit transition map of a complaint."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    WEB = "web", _("网上投诉")
    LETTER = "letter", _("来信")
    EMAIL = "email", _("电子邮件")


STAFF_CHANNELS = (Channel.HOTLINE, Channel.LETTER, Channel.EMAIL)


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("待分办")
    FORWARDED = "forwarded", _("已转办")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSING = "closing", _("待审核办结")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    REOPENED = "reopened", _("重新办理")


S = ComplaintState
# Where the supervisory organ decides (classify, forward, keep, route, merge).
AT_SUPERVISORY = (S.RECEIVED, S.RETURNED, S.REOPENED)
# Where a department holds the complaint (the handling clock runs).
AT_DEPARTMENT = (S.FORWARDED, S.ACCEPTED, S.REPLIED, S.CLOSING)
OPEN_STATES = AT_SUPERVISORY + AT_DEPARTMENT

TRANSITIONS = {
    S.RECEIVED: (S.FORWARDED, S.ACCEPTED, S.MERGED),
    S.RETURNED: (S.FORWARDED, S.ACCEPTED, S.MERGED),
    S.REOPENED: (S.FORWARDED, S.ACCEPTED, S.MERGED),
    S.FORWARDED: (S.ACCEPTED, S.RETURNED),
    S.ACCEPTED: (S.REPLIED,),
    S.REPLIED: (S.CLOSING,),
    S.CLOSING: (S.CLOSED, S.ACCEPTED),
    S.CLOSED: (S.REOPENED,),
    S.MERGED: (),
}


class Verb(models.TextChoices):
    """What happened to a complaint: the trail's entries (and the audit event's verb after ``complaints.``)."""

    SUBMITTED = "submitted", _("登记受理")
    CLASSIFIED = "classified", _("分类")
    FORWARDED = "forwarded", _("转办")
    KEPT = "kept", _("监察机关自办")
    ROUTED = "routed", _("移送纪检监察")
    RETURNED = "returned", _("部门退回")
    ACCEPTED = "accepted", _("部门受理")
    REPLIED = "replied", _("答复投诉人")
    CLOSURE_PROPOSED = "closure_proposed", _("申请办结")
    CLOSURE_APPROVED = "closure_approved", _("审核办结")
    CLOSURE_REFUSED = "closure_refused", _("退回重办")
    PRESSED = "pressed", _("督办")
    MERGED = "merged", _("合并重复件")
    RATED = "rated", _("满意度评价")
    REOPENED = "reopened", _("申请重新办理")
    IDENTITY_VIEWED = "identity_viewed", _("查看投诉人信息")
    ANONYMISED = "anonymised", _("匿名化")
    CLUE_REPORTED = "clue_reported", _("转为廉政风险信息")


# The citizen sees these on the tracking page (never who did it, never the internal notes).
PUBLIC_VERBS = (
    Verb.SUBMITTED,
    Verb.FORWARDED,
    Verb.KEPT,
    Verb.ROUTED,
    Verb.ACCEPTED,
    Verb.REPLIED,
    Verb.CLOSURE_APPROVED,
    Verb.PRESSED,
    Verb.RATED,
    Verb.REOPENED,
    Verb.MERGED,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


SATISFIED_VALUES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


# Monitoring timer purposes of a complaint.
TIMER_HANDLING = "complaint"
TIMER_ACCEPTANCE = "complaint_accept"
