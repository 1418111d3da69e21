"""Enumerated values of the one-window service centre and its explicit transition maps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    APPLICATION = "application", _("申请")
    ENFORCEMENT = "enforcement", _("执法")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口受理")
    ONLINE = "online", _("网上申请")


class ApplicantType(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("企业和其他组织")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    REJECTED = "rejected", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    WAITING_PARALLEL = "waiting_parallel", _("并联审批中")
    DECIDED = "decided", _("已作出决定")
    COMPLETED = "completed", _("已办结")


# The life of a case (办件). Suspension is not a status: it is the Suspension ledger,
# and a case with an open entry keeps its status but may not move on.
#   submitted -> accepted (一个窗口受理) | correction_requested (补正, not yet accepted, the clock has
#   not started) | rejected (不予受理, with reasons)
#   accepted (on the first flowchart step) -> in_progress (later steps) -> decided (at the decision
#   step; the steps after it, e.g. 送达, are done while decided, hence decided -> decided)
#   accepted / in_progress <-> waiting_parallel while sub-cases (并联审批) are open
#   decided -> completed (办结: fee recorded when the item has fees, result delivered)
# Advancing from one step to the next keeps a case in progress, hence in_progress -> in_progress.
CASE_TRANSITIONS = {
    CaseStatus.SUBMITTED: {CaseStatus.ACCEPTED, CaseStatus.CORRECTION_REQUESTED, CaseStatus.REJECTED},
    CaseStatus.CORRECTION_REQUESTED: {CaseStatus.SUBMITTED, CaseStatus.REJECTED},
    CaseStatus.ACCEPTED: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_PARALLEL, CaseStatus.DECIDED},
    CaseStatus.IN_PROGRESS: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_PARALLEL, CaseStatus.DECIDED},
    CaseStatus.WAITING_PARALLEL: {CaseStatus.IN_PROGRESS},
    CaseStatus.DECIDED: {CaseStatus.DECIDED, CaseStatus.COMPLETED},
}

# A sub-case of parallel approval (并联审批的会签件) is opened in progress and completed with an opinion.
SUBCASE_TRANSITIONS = {
    CaseStatus.IN_PROGRESS: {CaseStatus.COMPLETED},
}

# Accepted and not yet closed: the statutory clock is running (unless suspended).
OPEN_STATUSES = [
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_PARALLEL,
    CaseStatus.DECIDED,
]
# Statuses in which a flowchart step can be worked on.
ACTIVE_STEP_STATUSES = {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS}
# Before acceptance: the window still decides.
INTAKE_STATUSES = [CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED]
TERMINAL_STATUSES = [CaseStatus.REJECTED, CaseStatus.COMPLETED]


class Decision(models.TextChoices):
    APPROVE = "approve", _("准予")
    REFUSE = "refuse", _("不予")
    IMPOSE = "impose", _("作出处罚（处理）决定")
    NO_ACTION = "no_action", _("不予处罚（处理）")


APPLICATION_DECISIONS = {Decision.APPROVE, Decision.REFUSE}
ENFORCEMENT_DECISIONS = {Decision.IMPOSE, Decision.NO_ACTION}
# Decisions that must state their reasons and legal basis (说明理由).
DECISIONS_NEEDING_REASONS = {Decision.REFUSE, Decision.NO_ACTION}


class SuspensionKind(models.TextChoices):
    """Time the law excludes from the limit (不计入办理时限的情形)."""

    CORRECTION = "correction", _("申请人补正材料")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    HEARING = "hearing", _("听证")
    OTHER = "other", _("其他法定情形")


# Maximum length of each kind of suspension, in working days. The law excludes these
# periods from the limit but names no common ceiling; these are the centre's own
# rules (hearing: 行政许可法 art. 47 asks for a hearing within 20 days of the request).
# Past the maximum the suspension's own timer raises an overdue alarm; the case is not
# resumed automatically, because only a person can say the excluded period has ended.
SUSPENSION_MAX_DAYS = {
    SuspensionKind.CORRECTION: 5,
    SuspensionKind.EXPERT_REVIEW: 30,
    SuspensionKind.HEARING: 20,
    SuspensionKind.OTHER: 30,
}

# Statutory limit of an enforcement case when its power states none: 行政处罚法 art. 60
# asks for a decision within 90 days of filing (立案); counted here in working days.
DEFAULT_ENFORCEMENT_DAYS = 90
# Default limit of a parallel-approval sub-case (会签), in working days.
DEFAULT_SUBCASE_DAYS = 5
# Warning rule for cases without a service item (enforcement, sub-cases): share of the limit elapsed.
DEFAULT_WARN_RATIO = "0.80"


class EventKind(models.TextChoices):
    """Entries of a case's trail (留痕)."""

    SUBMITTED = "submitted", _("提交申请")
    CORRECTION_REQUESTED = "correction_requested", _("一次性告知补正")
    CORRECTED = "corrected", _("补正材料")
    REJECTED = "rejected", _("不予受理")
    ACCEPTED = "accepted", _("受理")
    FILED = "filed", _("立案")
    STEP_DONE = "step_done", _("办理环节")
    GREEN_CHANNEL = "green_channel", _("纳入绿色通道")
    SUSPENDED = "suspended", _("暂停计时")
    RESUMED = "resumed", _("恢复计时")
    PARALLEL_OPENED = "parallel_opened", _("发起并联审批")
    SUBCASE_DONE = "subcase_done", _("会签意见")
    PARALLEL_DONE = "parallel_done", _("并联审批完成")
    DECIDED = "decided", _("作出决定")
    PENALTY = "penalty", _("裁量决定")
    FEE = "fee", _("收费")
    COMPLETED = "completed", _("办结")
    RATED = "rated", _("满意度评议")
    SECRET_REISSUED = "secret_reissued", _("重置查询密码")


class NotificationEvent(models.TextChoices):
    ACCEPTED = "accepted", _("受理通知")
    CORRECTION_REQUESTED = "correction_requested", _("补正通知")
    REJECTED = "rejected", _("不予受理通知")
    DECIDED = "decided", _("决定通知")
    COMPLETED = "completed", _("办结通知")


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("短信")
    NONE = "none", _("无（未留电话）")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    SKIPPED = "skipped", _("无需发送")
    FAILED = "failed", _("发送失败")


RATING_SCORES = [
    (5, _("非常满意")),
    (4, _("满意")),
    (3, _("基本满意")),
    (2, _("不满意")),
    (1, _("非常不满意")),
]


# --- result disclosure (双公示) ----------------------------------------------------------------


class DisclosureKind(models.TextChoices):
    LICENSE = "license", _("行政许可")
    PENALTY = "penalty", _("行政处罚")


class DisclosureState(models.TextChoices):
    DUE = "due", _("待公示")
    PUBLISHED = "published", _("已公示")
    WITHDRAWN = "withdrawn", _("已撤销公示")
    EXEMPTED = "exempted", _("不予公示")


# A decision is published, or exempted with a legal reason; a published record is withdrawn only when
# the decision is revoked (the withdrawal is public too); an inspector's challenge sends an exemption back.
DISCLOSURE_TRANSITIONS = {
    DisclosureState.DUE: {DisclosureState.PUBLISHED, DisclosureState.EXEMPTED},
    DisclosureState.PUBLISHED: {DisclosureState.WITHDRAWN},
    DisclosureState.EXEMPTED: {DisclosureState.DUE},
    DisclosureState.WITHDRAWN: set(),
}
# What the public sees: published records and the withdrawals of published records.
PUBLIC_DISCLOSURE_STATES = [DisclosureState.PUBLISHED, DisclosureState.WITHDRAWN]


class ExemptionReason(models.TextChoices):
    """The legal grounds for not disclosing a decision (政府信息公开条例 §14–16)."""

    STATE_SECRET = "state_secret", _("涉及国家秘密")
    COMMERCIAL_SECRET = "commercial_secret", _("涉及商业秘密，权利人不同意公开")
    PERSONAL_PRIVACY = "personal_privacy", _("涉及个人隐私，权利人不同意公开")
    PUBLIC_SAFETY = "public_safety", _("公开后可能危及国家安全、公共安全、经济安全和社会稳定")
    LAW_FORBIDS = "law_forbids", _("法律、行政法规禁止公开")


# Licensing and penalty decisions are published within this many working days of the decision.
DISCLOSURE_WORKING_DAYS = 7
