"""The shared kernel: organisation, audit trail, search index, API tokens, calendar."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.choices import AppraisalSeries, DepartmentKind, Level
from portal.roles import ADMINISTRATOR, INSPECTOR, LEGAL_REVIEWER, department_of, has_role


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The organisation chart is public information.
        return self


class Department(models.Model):
    code = models.CharField(_("单位编码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, default=Level.CITY)
    kind = models.CharField(
        _("类型"), max_length=16, choices=DepartmentKind.choices, default=DepartmentKind.DEPARTMENT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    series = models.CharField(
        _("考评系列"), max_length=16, choices=AppraisalSeries.choices, default=AppraisalSeries.GOV_DEPARTMENT
    )
    region = models.CharField(_("所属区域"), max_length=60, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Post(models.Model):
    """A post (岗位) in a department; ``backup`` is its named B post (A、B岗)."""

    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="posts"
    )
    code = models.CharField(_("岗位编码"), max_length=40)
    name = models.CharField(_("岗位名称"), max_length=60)
    duties = models.TextField(_("岗位职责"), blank=True)
    backup = models.ForeignKey(
        "self",
        verbose_name=_("B岗(替岗)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backs_up",
    )

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["department__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="post_code_unique_in_department")
        ]

    def __str__(self):
        return f"{self.department.short_name or self.department.name}·{self.name}"


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="staff"
    )
    posts = models.ManyToManyField(Post, verbose_name=_("岗位"), blank=True, related_name="holders")
    display_name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self):
        return self.display_name


# --- audit trail --------------------------------------------------------------


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))

    def visible_to(self, user):
        if has_role(user, ADMINISTRATOR, INSPECTOR, LEGAL_REVIEWER):
            return self
        return self.none()

    def update(self, **kwargs):  # append-only: refuse bulk rewrites through the ORM
        raise TypeError("audit events are append-only")

    def delete(self):
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    """One state change, append-only and hash-chained (see portal/audit.py)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(_("操作人(显示)"), max_length=80, blank=True)
    verb = models.CharField(_("动作"), max_length=60, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The chain (portal/audit.py): position, previous hash and this event's HMAC. A *pending* event
    # (written while another transaction held the chain) has none of the three until the chainer
    # links it, and carries its seal (an HMAC of its content) meanwhile.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)  # noqa: DJ001
    seal = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id", "id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only")


# --- search index ----------------------------------------------------------------


class SearchToken(models.Model):
    """Inverted index of unigrams and bigrams (see portal/search.py)."""

    token = models.CharField(max_length=8)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "token", "object_id"], name="search_token_unique"
            ),
        ]
        # The unique constraint's index serves search(): (content_type, token) -> object ids.
        indexes = [models.Index(fields=["content_type", "object_id"], name="search_object_idx")]

    def __str__(self) -> str:
        return f"{self.token} → {self.content_type_id}:{self.object_id}"


class SearchDocument(models.Model):
    """What the public search looks through for one object (see portal/search.py): its texts, lower-cased.

    Its tokens live in SearchToken under this model's content type; ``text`` is what a match is
    checked against, so the search equals a plain scan of these texts.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_document_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


# --- API tokens ------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """An integrator's token. Only its SHA-256 digest is stored; it expires and can be revoked."""

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=80, blank=True)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("权限范围"), max_length=8, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_secret(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


# --- working-day calendar ----------------------------------------------------------


class CalendarYear(models.Model):
    """A year whose official schedule an administrator has entered (see WorkdayOverride)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("法定日历年度")
        verbose_name_plural = _("法定日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class WorkdayOverride(models.Model):
    """One date whose status differs from the weekend rule: a holiday on a weekday or a swapped working weekend."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("例如：国庆节、国庆调休上班"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.name}"


def restrict_to_department(queryset, user, field="department", public_filter=None):
    """Shared ``visible_to`` rule: staff see their department's rows, overseers see all.

    ``public_filter`` is what everybody, anonymous included, may see.
    """
    if has_role(user, ADMINISTRATOR, INSPECTOR, LEGAL_REVIEWER):
        return queryset
    condition = public_filter if public_filter is not None else Q(pk__in=[])
    department = department_of(user)
    if department is not None:
        condition |= Q(**{field: department})
    return queryset.filter(condition)


class NumberSeries(models.Model):
    """The counter behind one series of numbers or codes (``portal.numbering``): the last number given.

    A gap-free series counts here under the row lock of the caller's transaction; a series that need
    not be gap-free counts in a PostgreSQL sequence created on demand (started after ``last``).
    """

    series = models.CharField(_("编号序列"), max_length=100, unique=True)
    last = models.BigIntegerField(_("已用最大号"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["series"]

    def __str__(self):
        return f"{self.series} → {self.last}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    """A message a verb committed with its own transaction, delivered later by ``portal.outbox``.

    The sender claims a row by compare-and-set on ``attempts`` (two workers never send it twice);
    a failing gateway leaves it pending with ``last_error`` and a later ``next_attempt_at``
    (exponential backoff); after ``OUTBOX_MAX_ATTEMPTS`` it is marked failed.
    """

    kind = models.CharField(_("类型"), max_length=40)
    recipient = models.CharField(_("接收方"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    payload = models.JSONField(_("附加数据"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending_due")
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"
