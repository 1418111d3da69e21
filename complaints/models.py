"""The complaint platform (统一受理投诉平台): categories, complaints, their trail and their outbox.

Every state change is a verb in ``complaints.services``. The reporter's identity and contact
(``reporter_name``, ``reporter_contact``) are read only through ``complaints.permissions`` rules:
pages, API and exports show ``masked_reporter`` to everybody else.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.masking import mask_name
from portal.models import Department
from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    HOTLINE_OPERATOR,
    INSPECTOR,
    department_of,
    has_role,
)

from .choices import Channel, ComplaintState, Satisfaction, Verb

MAX_LIMIT_DAYS = 60


class Category(models.Model):
    """A node of the category tree an administrator edits (效能、作风、乱收费、腐败线索…)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    limit_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LIMIT_DAYS)],
    )
    accept_days = models.PositiveSmallIntegerField(
        _("签收时限（工作日）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    corruption_clue = models.BooleanField(
        _("腐败问题线索"), default=False, help_text=_("此类投诉只移送纪检监察机关办理。")
    )
    is_active = models.BooleanField(_("有效"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("投诉类别")
        verbose_name_plural = _("投诉类别")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit_days__gte=1, limit_days__lte=MAX_LIMIT_DAYS),
                name="complaint_category_limit_range",
            ),
        ]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Intake and supervisory staff see every complaint; a department sees what it was sent.

        A department never sees a complaint sent to the discipline inspection office, even one about
        itself (corruption clues), nor one kept by the supervisory organ.
        """
        if has_role(user, ADMINISTRATOR, INSPECTOR, HOTLINE_OPERATOR):
            return self
        department = department_of(user)
        if department is not None and has_role(user, DEPT_HANDLER, DEPT_HEAD):
            return self.filter(handling_department=department)
        return self.none()

    def open(self):
        from .choices import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)


class Complaint(models.Model):
    """One complaint (投诉件), whatever the channel it came by."""

    code = models.CharField(_("投诉编号"), max_length=32, unique=True)
    query_secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    # The reporter (保护举报人): optional, never shown outside intake and supervisory staff.
    reporter_name = models.CharField(_("投诉人姓名"), max_length=60, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    # What it is about.
    title = models.CharField(_("投诉事项"), max_length=120)
    matter = models.TextField(_("投诉内容"), max_length=5000)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("被投诉单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    handling_department = models.ForeignKey(
        Department,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    case_code = models.CharField(_("相关办件编号"), max_length=40, blank=True)
    power = models.ForeignKey(
        "powers.Power",
        verbose_name=_("相关权力事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    official_name = models.CharField(_("被投诉人员"), max_length=60, blank=True)
    # Handling, as the verbs record it (indicators read these columns, never the trail).
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    forwarded_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    accept_due_on = models.DateField(_("签收期限"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on_time = models.BooleanField(_("按时受理"), null=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复意见"), blank=True, max_length=5000)
    handled_at = models.DateTimeField(_("办理完毕时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    closed_on_time = models.BooleanField(_("按时办结"), null=True)
    handling_days = models.PositiveSmallIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    pressed_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    satisfaction = models.CharField(_("满意度"), max_length=16, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉件")
        verbose_name_plural = _("投诉件")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The queues: the supervisory queue and each department's queue, newest first.
            models.Index(fields=["state", "-received_at"], name="complaint_state_recv"),
            models.Index(fields=["handling_department", "state"], name="complaint_dept_state"),
            # The indicators: a department's complaints forwarded in a period.
            models.Index(fields=["handling_department", "forwarded_at"], name="complaint_dept_fwd"),
            # Duplicates: same case code / same reporter contact.
            models.Index(fields=["case_code"], name="complaint_case_code", condition=~Q(case_code="")),
            models.Index(
                fields=["reporter_contact"], name="complaint_contact", condition=~Q(reporter_contact="")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(state=ComplaintState.MERGED),
                name="complaint_merged_state",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("complaints:detail", kwargs={"code": self.code})

    @property
    def is_anonymous(self) -> bool:
        return not self.reporter_name

    @property
    def masked_reporter(self) -> str:
        """What anybody but intake and supervisory staff sees of the reporter (王**, or 匿名)."""
        if self.anonymised_at or not self.reporter_name:
            return str(_("匿名"))
        return mask_name(self.reporter_name)


def attachment_path(instance, filename):
    return f"complaints/{instance.complaint.received_at:%Y/%m}/{filename}"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")

    def __str__(self):
        return self.name


class ComplaintEvent(models.Model):
    """The complaint's trail: one row per verb (the audit chain has the same, hash-linked)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    verb = models.CharField(_("事项"), max_length=24, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("经办人"), max_length=60, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=ComplaintState.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        ordering = ["at", "id"]
        indexes = [
            # Returns per department in a period (the returned/rerouted indicator).
            models.Index(fields=["verb", "department", "at"], name="complaint_event_verb_dept"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.get_verb_display()}"
