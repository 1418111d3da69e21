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
RULE_SWEEP_STALE = "sweep_stale"
