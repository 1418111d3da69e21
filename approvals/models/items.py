"""Service items (办事指南) and the windows that take them: what a citizen applies for."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.models import Department
from portal.roles import (
    ADMINISTRATOR,
    INSPECTOR,
    LEGAL_REVIEWER,
    WINDOW_CLERK,
    department_of,
    has_role,
)
from powers.models import Power

USER = settings.AUTH_USER_MODEL
UPLOAD_EXTENSIONS = ["pdf", "ofd", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "zip"]
MAX_UPLOAD_BYTES = uploads.MAX_UPLOAD_BYTES


def _page_or_api(page: str, api: str, code: str) -> str:
    try:
        return reverse(page, kwargs={"code": code})
    except NoReverseMatch:
        return reverse(api, kwargs={"code": code})


class Window(models.Model):
    """A window (窗口) of the service centre."""

    number = models.CharField(_("窗口号"), max_length=20, unique=True)
    name = models.CharField(_("窗口名称"), max_length=60)
    department = models.ForeignKey(
        Department,
        verbose_name=_("进驻单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    is_fee_window = models.BooleanField(_("统一收费窗口"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}号窗口 {self.name}"


class ServiceItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Active items are public (citizens read materials, fees and limits); staff see inactive ones too."""
        if has_role(user, ADMINISTRATOR, INSPECTOR, LEGAL_REVIEWER, WINDOW_CLERK):
            return self
        department = department_of(user)
        condition = Q(is_active=True)
        if department is not None:
            condition |= Q(department=department)
        return self.filter(condition)

    def with_details(self):
        return self.select_related("department", "power").prefetch_related("materials", "fees", "windows")


class ServiceItem(models.Model):
    """A service item (服务事项): what a citizen applies for, made from a confirmed power."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="service_items"
    )
    power = models.ForeignKey(
        Power, verbose_name=_("权力事项"), on_delete=models.PROTECT, related_name="service_items"
    )
    conditions = models.TextField(_("受理条件"), blank=True)
    result_form = models.CharField(_("办理结果"), max_length=200, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限(工作日)"), validators=[MinValueValidator(1)]
    )
    promised_days = models.PositiveSmallIntegerField(_("承诺时限(工作日)"), validators=[MinValueValidator(1)])
    # Warning rule (时限提示): either N working days before the limit, or a share of the limit elapsed.
    warn_days_before = models.PositiveSmallIntegerField(
        _("提前提示(工作日)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    warn_ratio = models.DecimalField(
        _("已用时限比例提示"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("例如 0.80：时限用去八成时提示"),
    )
    windows = models.ManyToManyField(Window, verbose_name=_("受理窗口"), blank=True, related_name="items")
    is_online = models.BooleanField(_("可网上申请"), default=True)
    is_active = models.BooleanField(_("在办"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(statutory_days__gte=1), name="item_statutory_positive"),
            models.CheckConstraint(
                condition=Q(promised_days__gte=1) & Q(promised_days__lte=F("statutory_days")),
                name="item_promised_within_statutory",
            ),
            models.CheckConstraint(
                condition=(
                    Q(warn_days_before__isnull=False, warn_ratio__isnull=True) & Q(warn_days_before__gte=1)
                )
                | (
                    Q(warn_days_before__isnull=True, warn_ratio__isnull=False)
                    & Q(warn_ratio__gt=0, warn_ratio__lt=1)
                ),
                name="item_one_warning_rule",
            ),
        ]
        indexes = [models.Index(fields=["department", "is_active"], name="item_department_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return _page_or_api("approvals:item", "service-item-detail", self.code)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.statutory_days and self.promised_days and self.promised_days > self.statutory_days:
            errors["promised_days"] = _("承诺时限不能长于法定时限。")
        if (self.warn_days_before is None) == (self.warn_ratio is None):
            errors["warn_days_before"] = _("请在“提前提示工作日”和“已用时限比例”中设置且只设置一项。")
        if errors:
            raise ValidationError(errors)

    @property
    def fee_total(self) -> Decimal:
        """Sum of the fee items (prefetch ``fees`` to avoid a query per item); zero means 不收费."""
        return sum((fee.amount for fee in self.fees.all()), Decimal("0"))

    @property
    def has_fees(self) -> bool:
        return self.fee_total > 0

    @property
    def warning_rule_display(self) -> str:
        if self.warn_days_before:
            return f"到期前{self.warn_days_before}个工作日提示"
        return f"时限用去{int(self.warn_ratio * 100)}%时提示"


class Material(models.Model):
    """A material the applicant hands in (申请材料)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必需"), default=True)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    note = models.CharField(
        _("要求"), max_length=300, blank=True, help_text=_("例如：原件核验、复印件加盖公章")
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "order", "id"]

    def __str__(self):
        return self.name


class FeeItem(models.Model):
    """A fee of a service item (收费项目); an item without fee rows is free (不收费)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=100)
    amount = models.DecimalField(
        _("金额(元)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    basis = models.CharField(_("收费依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["item", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative")]

    def __str__(self):
        return f"{self.name} {self.amount}元"
