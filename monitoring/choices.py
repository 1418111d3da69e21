"""Enumerated values of electronic supervision (电子监察) and the alert lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    REMINDER = "reminder", _("时限提示")
    OVERDUE = "overdue", _("超时报警")
    ANOMALY = "anomaly", _("异常")
    STALE_SWEEP = "stale_sweep", _("监察扫描停滞")


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class AlertState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    RESOLVED = "resolved", _("已解除")
    DISMISSED = "dismissed", _("已排除")


# The alert lifecycle: open → acknowledged → resolved, or dismissed (with a reason) from either.
ALERT_TRANSITIONS = {
    AlertState.OPEN: {AlertState.ACKNOWLEDGED, AlertState.RESOLVED, AlertState.DISMISSED},
    AlertState.ACKNOWLEDGED: {AlertState.RESOLVED, AlertState.DISMISSED},
    AlertState.RESOLVED: set(),
    AlertState.DISMISSED: set(),
}

# States in which an alert still asks for attention.
UNRESOLVED_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)


class TimerState(models.TextChoices):
    """Derived from a timer's timestamps (never stored): see ``Timer.state``."""

    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    STOPPED = "stopped", _("已停止")


# Rule names of the alerts the monitoring core raises itself (anomaly rules bring their own).
RULE_TIMER = "timer"
# The purpose of a case's statutory timer (exported as monitoring.timers.CASE; the dashboard's
# partial indexes are conditioned on it).
TIMER_CASE = "case"
RULE_SWEEP_STALE = "sweep_stale"


class NoticeStatus(models.TextChoices):
    """A supervision notice (督办通知) from the inspectors to a department."""

    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


# issued → answered (the department head answers) → closed (the inspector accepts the answer), or
# returned (not good enough) → answered again; an inspector may withdraw a notice not yet closed.
NOTICE_TRANSITIONS = {
    NoticeStatus.ISSUED: {NoticeStatus.ANSWERED, NoticeStatus.WITHDRAWN},
    NoticeStatus.ANSWERED: {NoticeStatus.CLOSED, NoticeStatus.RETURNED},
    NoticeStatus.RETURNED: {NoticeStatus.ANSWERED, NoticeStatus.WITHDRAWN},
    NoticeStatus.CLOSED: set(),
    NoticeStatus.WITHDRAWN: set(),
}
OPEN_NOTICE_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.ANSWERED, NoticeStatus.RETURNED)
# The department owes an answer (its deadline timer runs).
AWAITING_ANSWER_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.RETURNED)


class AccountabilityMeasure(models.TextChoices):
    """问责方式, mildest first."""

    TALK = "talk", _("约谈提醒")
    ADMONITION = "admonition", _("诫勉谈话")
    WRITTEN_CRITICISM = "written_criticism", _("书面批评")
    CIRCULATED_NOTICE = "circulated_notice", _("通报批评")
    PERFORMANCE_DEDUCTION = "performance_deduction", _("扣减绩效考核分")
    ORGANISATIONAL = "organisational", _("组织处理")
    DISCIPLINARY = "disciplinary", _("党纪政务处分")


# Purpose of the timer on a supervision notice's own deadline.
RULE_NOTICE = "notice"
