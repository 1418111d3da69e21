"""The power list (权力清单): legal basis, powers and their versions, flowcharts, discretion standards."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Department, Post, restrict_to_department

from .choices import (
    CODE_REGEX,
    HISTORY_STATUSES,
    Category,
    ChangeKind,
    DocumentKind,
    PowerStatus,
    StepKind,
    TimeLimitUnit,
)

PUBLIC_STATUSES = [PowerStatus.PUBLISHED, *HISTORY_STATUSES]


class LegalDocument(models.Model):
    """A law, regulation or rule (法律法规规章) that powers rest on."""

    code = models.CharField(_("文件编号"), max_length=40, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("效力层级"), max_length=20, choices=DocumentKind.choices)
    issuer = models.CharField(_("制定机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("公布日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    is_current = models.BooleanField(_("现行有效"), default=True)

    class Meta:
        verbose_name = _("法律依据文件")
        verbose_name_plural = _("法律依据文件")
        ordering = ["code"]

    def __str__(self):
        return f"《{self.title}》"


class LegalArticle(models.Model):
    document = models.ForeignKey(
        LegalDocument, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="articles"
    )
    number = models.PositiveIntegerField(_("条号"), validators=[MinValueValidator(1)])
    label = models.CharField(_("条款"), max_length=40, help_text=_("例如：第十二条第一款"))
    text = models.TextField(_("条文"))

    class Meta:
        verbose_name = _("法条")
        verbose_name_plural = _("法条")
        ordering = ["document__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number", "label"], name="article_unique_in_document"
            ),
        ]

    def __str__(self):
        return f"{self.document}{self.label}"


class PowerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published powers and their history are public; drafts only to their department and reviewers."""
        return restrict_to_department(self, user, public_filter=Q(status__in=PUBLIC_STATUSES))

    def exercisable(self):
        """Only confirmed, published powers may be exercised by other apps."""
        return self.filter(status=PowerStatus.PUBLISHED)

    def current(self):
        """One row per code: the published version, or the newest version when none is published."""
        return self.filter(is_current=True)

    def with_public_relations(self):
        return self.select_related("department", "department__parent")


class Power(models.Model):
    """One version of one administrative power (权力事项). Rows sharing ``code`` are its versions."""

    code = models.CharField(
        _("统一编码"),
        max_length=30,
        validators=[
            RegexValidator(CODE_REGEX, _("统一编码格式应为 类别-单位编码-四位序号，例如 XK-SCJG-0001。"))
        ],
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    change_kind = models.CharField(
        _("变更类型"), max_length=16, choices=ChangeKind.choices, default=ChangeKind.NEW
    )
    change_reason = models.TextField(_("变更理由"), blank=True)
    name = models.CharField(_("权力名称"), max_length=200)
    category = models.CharField(_("权力类别"), max_length=16, choices=Category.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="powers"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PowerStatus.choices, default=PowerStatus.DRAFT
    )
    # is_current marks the row shown for a code: kept by the services, one per code (constraint).
    is_current = models.BooleanField(_("当前版本"), default=True)

    # The "five publics" (五公开): basis, object, procedure, time limit, result.
    legal_articles = models.ManyToManyField(
        LegalArticle, verbose_name=_("法律依据"), blank=True, related_name="powers"
    )
    subject = models.CharField(
        _("行使对象"), max_length=200, blank=True, help_text=_("例如：公民、法人和其他组织")
    )
    description = models.TextField(_("权力内容"), blank=True)
    time_limit_days = models.PositiveIntegerField(_("法定时限"), null=True, blank=True)
    promised_days = models.PositiveIntegerField(_("承诺时限"), null=True, blank=True)
    time_limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=TimeLimitUnit.choices, default=TimeLimitUnit.WORKING_DAYS
    )
    result_form = models.CharField(
        _("办理结果"), max_length=200, blank=True, help_text=_("例如：准予许可决定书")
    )
    fee_basis = models.CharField(_("收费依据及标准"), max_length=300, blank=True, default="不收费")
    complaint_channel = models.CharField(_("投诉举报途径"), max_length=200, blank=True)

    predecessor = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("接续事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced",
        help_text=_("修订、下放或合并后接续本事项的版本"),
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("停止行使时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("权力事项")
        verbose_name_plural = _("权力事项")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="power_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status=PowerStatus.PUBLISHED), name="power_one_published_version"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="power_one_current_row"
            ),
            models.CheckConstraint(
                condition=Q(promised_days__isnull=True)
                | Q(time_limit_days__isnull=True)
                | Q(promised_days__lte=F("time_limit_days")),
                name="power_promised_within_statutory",
            ),
        ]
        indexes = [
            # Public list: current rows filtered by department / category (powers.filtersets).
            models.Index(fields=["is_current", "category", "department"], name="power_public_list_idx"),
            models.Index(fields=["department", "status"], name="power_department_status_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("powers:detail", kwargs={"code": self.code})

    @property
    def level(self):
        return self.department.level

    @property
    def is_exercisable(self):
        return self.status == PowerStatus.PUBLISHED


class PowerPartQuerySet(models.QuerySet):
    """Flowcharts and standards are as visible as the power version they belong to."""

    def visible_to(self, user):
        return restrict_to_department(
            self, user, field="power__department", public_filter=Q(power__status__in=PUBLIC_STATUSES)
        )


class Flowchart(models.Model):
    """One power, one flowchart (一项权力一个流程)."""

    power = models.OneToOneField(
        Power, verbose_name=_("权力事项"), on_delete=models.CASCADE, related_name="flowchart"
    )
    note = models.TextField(_("流程说明"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PowerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("权力运行流程图")
        verbose_name_plural = _("权力运行流程图")

    def __str__(self):
        return f"{self.power.name} 流程图"

    @property
    def total_days(self):
        return sum(step.time_limit_days or 0 for step in self.steps.all())


class FlowStep(models.Model):
    """A step of a flowchart, annotated as the power list requires."""

    flowchart = models.ForeignKey(Flowchart, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=60)
    kind = models.CharField(_("环节类型"), max_length=12, choices=StepKind.choices, default=StepKind.OTHER)
    post = models.ForeignKey(
        Post,
        verbose_name=_("承办岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flow_steps",
    )
    rules = models.TextField(_("办事制度"), blank=True)
    duties = models.TextField(_("职责要求"), blank=True)
    supervision_point = models.CharField(_("监督环节"), max_length=200, blank=True)
    complaint_channel = models.CharField(_("投诉举报途径"), max_length=200, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("环节时限(工作日)"), null=True, blank=True)

    class Meta:
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        ordering = ["flowchart", "order"]
        constraints = [
            models.UniqueConstraint(fields=["flowchart", "order"], name="flowstep_order_unique"),
            models.UniqueConstraint(
                fields=["flowchart"], condition=Q(kind=StepKind.DECISION), name="flowstep_one_decision"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class DiscretionStandard(models.Model):
    """A refined discretion standard (自由裁量基准): the fact to enter and its graded bands."""

    power = models.ForeignKey(
        Power, verbose_name=_("权力事项"), on_delete=models.CASCADE, related_name="standards"
    )
    article = models.ForeignKey(
        LegalArticle,
        verbose_name=_("裁量依据"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("违法行为"), max_length=200)
    fact_label = models.CharField(
        _("裁量情节"), max_length=40, help_text=_("执法人员录入的事实，例如：占用面积")
    )
    fact_unit = models.CharField(_("单位"), max_length=12, blank=True, help_text=_("例如：平方米、元、次"))
    amount_unit = models.CharField(_("处罚单位"), max_length=12, default="元")
    requires_collective_discussion = models.BooleanField(_("超出基准须集体讨论"), default=True)

    objects = PowerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("自由裁量基准")
        verbose_name_plural = _("自由裁量基准")
        ordering = ["power", "id"]

    def __str__(self):
        return self.title


class DiscretionBand(models.Model):
    """One graded step (分阶) of a standard: a fact range mapped to an amount range."""

    standard = models.ForeignKey(DiscretionStandard, on_delete=models.CASCADE, related_name="bands")
    order = models.PositiveSmallIntegerField(_("档次"))
    severity = models.CharField(_("情节"), max_length=20, help_text=_("例如：轻微、一般、较重、严重"))
    fact_min = models.DecimalField(_("情节下限(含)"), max_digits=14, decimal_places=2)
    fact_max = models.DecimalField(
        _("情节上限(不含)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_min = models.DecimalField(_("处罚下限"), max_digits=14, decimal_places=2)
    amount_max = models.DecimalField(_("处罚上限"), max_digits=14, decimal_places=2)
    description = models.CharField(_("裁量标准"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("裁量档次")
        verbose_name_plural = _("裁量档次")
        ordering = ["standard", "order"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "order"], name="band_order_unique"),
            models.CheckConstraint(condition=Q(amount_min__lte=F("amount_max")), name="band_amount_ordered"),
            models.CheckConstraint(
                condition=Q(fact_max__isnull=True) | Q(fact_min__lt=F("fact_max")), name="band_fact_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.severity} {self.amount_min}–{self.amount_max}"
