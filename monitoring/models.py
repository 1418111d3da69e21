"""Time and alerts: one generic Timer table, the alerts the sweep and the rules raise, the sweep's log.

``monitoring`` imports none of the apps it watches: what is timed or alerted on is a generic
reference (content type + object id as text, so integer and string keys both fit).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.choices import (
    AWAITING_ANSWER_STATUSES,
    OPEN_NOTICE_STATUSES,
    TIMER_CASE,
    UNRESOLVED_STATES,
    AccountabilityMeasure,
    AlertKind,
    AlertLevel,
    AlertState,
    NoticeStatus,
    TimerState,
)
from portal.models import Department, Post
from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of, has_role


def _visible_by_department(queryset, user):
    """Inspectors and administrators see everything; other staff see their own department's rows."""
    if has_role(user, ADMINISTRATOR, INSPECTOR):
        return queryset
    department = department_of(user)
    if department is None:
        return queryset.none()
    return queryset.filter(department=department)


class TimerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _visible_by_department(self, user)

    def active(self):
        return self.filter(stopped_at__isnull=True)

    def due(self, now):
        """Timers whose next reminder or alarm is due: the sweep's query (see ``timer_due_idx``)."""
        return self.filter(
            stopped_at__isnull=True, paused_at__isnull=True, next_fire_at__isnull=False, next_fire_at__lte=now
        )


class Timer(models.Model):
    """A time limit on something another app runs (a case, a case step, a suspension, a notice).

    Changed only through ``monitoring.timers`` (start/pause/resume/stop/reschedule). ``next_fire_at``
    is denormalised: ``warn_at`` until the reminder is raised, then ``due_at`` until the alarm is
    raised, then null; null also while paused or once stopped.
    """

    # No index of its own: timer_target_idx starts with it.
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, db_index=False
    )
    target_id = models.CharField(_("对象编号"), max_length=64)
    purpose = models.CharField(
        _("计时用途"), max_length=60, help_text=_("例如 case、case_step:3、suspension:7")
    )
    label = models.CharField(_("名称"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("责任岗位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始计时"), default=timezone.now)
    warn_at = models.DateTimeField(_("提示时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("期限"))
    provisional = models.BooleanField(_("暂定期限"), default=False)
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停(秒)"), default=0)
    stopped_at = models.DateTimeField(_("停止于"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提示于"), null=True, blank=True)
    alarmed_at = models.DateTimeField(_("已报警于"), null=True, blank=True)
    next_fire_at = models.DateTimeField(_("下次触发"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimerQuerySet.as_manager()

    class Meta:
        verbose_name = _("计时器")
        verbose_name_plural = _("计时器")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "purpose"],
                condition=Q(stopped_at__isnull=True),
                name="timer_one_active_per_purpose",
            ),
        ]
        indexes = [
            # The sweep (monitoring.services.sweep, TimerQuerySet.due) reads only running timers with something
            # left to fire, ordered by next_fire_at: this partial index holds exactly those rows, so a
            # sweep over a million open timers touches only the due ones.
            models.Index(
                fields=["next_fire_at"],
                name="timer_due_idx",
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True, next_fire_at__isnull=False),
            ),
            # for_target(): a case page lists its timers.
            models.Index(fields=["target_type", "target_id"], name="timer_target_idx"),
            # The inspectors' dashboard (monitoring.dashboard) counts cases — the "case" timers —
            # accepted, completed and expired per day of this month, and the running ones by
            # department: index-only range scans of these partial indexes (the included columns
            # are the ones the counts test), however many cases there are.
            models.Index(
                fields=["started_at"], name="timer_case_started_idx", condition=Q(purpose=TIMER_CASE)
            ),
            models.Index(
                fields=["stopped_at"],
                name="timer_case_stopped_idx",
                include=["due_at", "alarmed_at"],
                condition=Q(purpose=TIMER_CASE, stopped_at__isnull=False),
            ),
            models.Index(
                fields=["due_at"],
                name="timer_case_due_idx",
                include=["stopped_at", "paused_at"],
                condition=Q(purpose=TIMER_CASE),
            ),
            models.Index(
                fields=["department"],
                name="timer_case_running_idx",
                include=["due_at", "paused_at"],
                condition=Q(purpose=TIMER_CASE, stopped_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.label or self.purpose} → {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def state(self) -> str:
        if self.stopped_at is not None:
            return TimerState.STOPPED
        if self.paused_at is not None:
            return TimerState.PAUSED
        return TimerState.RUNNING

    def get_state_display(self):
        return TimerState(self.state).label

    def compute_next_fire_at(self):
        """Reminder first (only if ``warn_at`` is before the limit), then the alarm, then nothing."""
        if self.stopped_at is not None or self.paused_at is not None or self.alarmed_at is not None:
            return None
        if self.warn_at is not None and self.reminded_at is None and self.warn_at < self.due_at:
            return self.warn_at
        return self.due_at


class TimerPause(models.Model):
    """One interval in which a timer stood still (e.g. a suspension of the case)."""

    timer = models.ForeignKey(
        Timer, verbose_name=_("计时器"), on_delete=models.CASCADE, related_name="pauses"
    )
    paused_at = models.DateTimeField(_("暂停于"))
    resumed_at = models.DateTimeField(_("恢复于"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("计时暂停")
        verbose_name_plural = _("计时暂停")
        ordering = ["paused_at", "id"]

    def __str__(self):
        return f"{self.paused_at:%Y-%m-%d %H:%M} {self.reason}"


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Inspectors see every alert. A department sees its own reminders and alarms (to act on its
        deadlines) but not the anomalies found in its own work: those are for the inspectors."""
        visible = _visible_by_department(self, user)
        if has_role(user, ADMINISTRATOR, INSPECTOR):
            return visible
        return visible.exclude(kind=AlertKind.ANOMALY)

    def unresolved(self):
        return self.filter(state__in=UNRESOLVED_STATES)


class Alert(models.Model):
    """A reminder (时限提示), an overdue alarm (超时报警), an anomaly (异常) or a stale sweep.

    Raised exactly once: per (timer, kind) for timer alerts, per (rule, target, occurrence) for the
    others — both enforced by the database, so the sweep can insert with ON CONFLICT DO NOTHING.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    level = models.CharField(_("级别"), max_length=8, choices=AlertLevel.choices)
    state = models.CharField(_("状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    # Foreign keys get no index of their own where a composite index or a unique constraint below
    # starts with the column: fewer indexes to maintain when the sweep inserts thousands of rows.
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, db_index=False
    )
    target_id = models.CharField(_("对象编号"), max_length=64)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # alert_department_state_idx
    )
    timer = models.ForeignKey(
        Timer,
        verbose_name=_("计时器"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        db_index=False,  # alert_once_per_timer_kind
    )
    rule = models.CharField(_("规则"), max_length=60, blank=True)
    occurrence = models.CharField(_("发生标识"), max_length=100, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    detail = models.TextField(_("详情"), blank=True)
    raised_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["timer", "kind"], condition=Q(timer__isnull=False), name="alert_once_per_timer_kind"
            ),
            models.UniqueConstraint(
                fields=["rule", "target_type", "target_id", "occurrence"],
                condition=Q(timer__isnull=True),
                name="alert_once_per_rule_occurrence",
            ),
        ]
        indexes = [
            # The inspectors' list and the API: open alerts, newest first, optionally by department.
            models.Index(fields=["state", "-raised_at"], name="alert_state_raised_idx"),
            models.Index(fields=["department", "state"], name="alert_department_state_idx"),
            models.Index(fields=["target_type", "target_id"], name="alert_target_idx"),
        ]

    def __str__(self):
        return f"[{self.get_level_display()}] {self.title}"


class SweepRun(models.Model):
    """One completed run of the supervision sweep (monitoring.services.sweep.run_sweep)."""

    started_at = models.DateTimeField(_("开始"))
    finished_at = models.DateTimeField(_("结束"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"))
    reminders = models.PositiveIntegerField(_("时限提示"), default=0)
    alarms = models.PositiveIntegerField(_("超时报警"), default=0)

    class Meta:
        verbose_name = _("监察扫描记录")
        verbose_name_plural = _("监察扫描记录")
        ordering = ["-finished_at", "-id"]

    def __str__(self):
        return f"{timezone.localtime(self.finished_at):%Y-%m-%d %H:%M:%S} +{self.reminders}/{self.alarms}"


class DashboardMonth(models.Model):
    """The inspectors' dashboard's per-day counts of one month before this one (``monitoring.dashboard``).

    A roll-up of the case timers and alerts: ``days`` is ``{series: {"YYYY-MM-DD": n}}`` for the
    series of ``dashboard.SERIES`` (days with nothing are left out). Written by the worker's recount
    (``refresh_history``, every few minutes and when a worker starts), at the end of ``migrate`` and
    of ``seed_demo`` for the months missing, and by a page view for a month still never counted; the
    dashboard reads the earlier months of its trend from here when its cache is empty (a restart,
    a cache flush) instead of counting half a million timers. This month is always counted live.
    """

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    days = models.JSONField(_("逐日统计"), default=dict)
    counted_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("驾驶舱月度统计")
        verbose_name_plural = _("驾驶舱月度统计")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class AnomalyRule(models.Model):
    """An anomaly rule (异常规则) and whether it runs; the rule itself is code (``monitoring.rules``).

    Rows are created for every registered rule after migrate; an administrator switches a rule on or
    off here (admin). A rule that is off raises nothing; turning it back on finds what it missed.
    """

    code = models.CharField(_("规则编码"), max_length=60, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    level = models.CharField(_("预警级别"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.RED)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("异常规则")
        verbose_name_plural = _("异常规则")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{_('启用') if self.enabled else _('停用')}）"


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Inspectors see every notice; the head and handlers of a department those addressed to it."""
        if not has_role(user, ADMINISTRATOR, INSPECTOR, DEPT_HEAD, DEPT_HANDLER):
            return self.none()
        return _visible_by_department(self, user)

    def open(self):
        return self.filter(status__in=OPEN_NOTICE_STATUSES)


class SupervisionNotice(models.Model):
    """督办通知: an inspector asks a department to correct something by a deadline (its own timer)."""

    number = models.CharField(_("督办文号"), max_length=30, unique=True)
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("所涉预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("督办对象"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("督办事项"), max_length=200)
    requirement = models.TextField(_("督办要求"))
    deadline_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    answer = models.TextField(_("整改答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="notice_department_status_idx")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("monitoring:notice", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NOTICE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Still waiting for the department's answer after the deadline day."""
        return self.status in AWAITING_ANSWER_STATUSES and self.deadline_on < timezone.localdate()


class AccountabilityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accountability records are the inspectors' (and administrators') alone."""
        return self if has_role(user, ADMINISTRATOR, INSPECTOR) else self.none()


class AccountabilityRecord(models.Model):
    """问责记录: who was held to account, by what measure, for which alert or notice. Append-only."""

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("所涉预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability",
    )
    notice = models.ForeignKey(
        SupervisionNotice,
        verbose_name=_("所涉督办"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被问责人(系统用户)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("被问责人"), max_length=60)
    person_title = models.CharField(_("职务"), max_length=60, blank=True)
    measure = models.CharField(_("问责方式"), max_length=24, choices=AccountabilityMeasure.choices)
    facts = models.TextField(_("问责事由"))
    decided_on = models.DateField(_("决定日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["department", "-decided_on"], name="accountability_dept_idx")]

    def __str__(self):
        return f"{self.person_name} {self.get_measure_display()}"
