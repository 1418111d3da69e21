"""The public record of decisions (行政许可和行政处罚信息"双公示")."""

from urllib.parse import urlencode

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Department
from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    INSPECTOR,
    LEGAL_REVIEWER,
    department_of,
    has_role,
)
from powers.models import Power

from ..choices import (
    PUBLIC_DISCLOSURE_STATES,
    DisclosureKind,
    DisclosureState,
    ExemptionReason,
)
from .cases import Case
from .items import USER


class ResultDisclosureQuerySet(models.QuerySet):
    def public(self):
        """What anyone may read: published records and the withdrawals of published records."""
        return self.filter(state__in=PUBLIC_DISCLOSURE_STATES, published_at__isnull=False)

    def visible_to(self, user):
        """Staff see their department's records; inspectors, legal reviewers and administrators all."""
        if has_role(user, INSPECTOR, ADMINISTRATOR, LEGAL_REVIEWER):
            return self
        department = department_of(user)
        if department is not None and has_role(user, DEPT_HANDLER, DEPT_HEAD):
            return self.filter(department=department)
        return self.public()


class ResultDisclosure(models.Model):
    """The public record of a licensing or penalty decision (行政许可和行政处罚信息"双公示").

    Written when the decision is taken, holding only what the public may see: a private person's
    name is stored masked (王**) and the ID number, phone and address are never copied here. Publication
    is due within ``DISCLOSURE_WORKING_DAYS`` working days of the decision, timed by monitoring.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="disclosure")
    kind = models.CharField(_("类别"), max_length=16, choices=DisclosureKind.choices)
    state = models.CharField(
        _("公示状态"), max_length=16, choices=DisclosureState.choices, default=DisclosureState.DUE
    )
    decision_number = models.CharField(_("决定文书号"), max_length=60, unique=True)
    party_name = models.CharField(_("行政相对人"), max_length=100)
    party_is_person = models.BooleanField(_("自然人"), default=False)
    party_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    matter = models.CharField(_("事项名称"), max_length=200)
    power = models.ForeignKey(Power, verbose_name=_("权力事项"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("决定机关"), on_delete=models.PROTECT, related_name="disclosures"
    )
    legal_basis = models.TextField(_("法律依据"), blank=True)
    result = models.CharField(_("决定结果"), max_length=200)
    amount = models.DecimalField(_("罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_unit = models.CharField(_("金额单位"), max_length=10, blank=True)
    band = models.CharField(_("裁量档次"), max_length=40, blank=True)
    decided_on = models.DateField(_("决定日期"))
    due_on = models.DateField(_("公示期限"))
    due_provisional = models.BooleanField(_("日期待定(日历未公布)"), default=False)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("撤销公示时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.TextField(_("撤销公示理由"), blank=True)
    exemption_reason = models.CharField(
        _("不予公示的法定理由"), max_length=24, choices=ExemptionReason.choices, blank=True
    )
    exemption_note = models.TextField(_("不予公示说明"), blank=True)
    exempted_at = models.DateTimeField(_("决定不予公示时间"), null=True, blank=True)
    exempted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    challenge_note = models.TextField(_("监察质疑意见"), blank=True)
    challenged_at = models.DateTimeField(_("质疑时间"), null=True, blank=True)
    challenged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResultDisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政决定公示")
        verbose_name_plural = _("行政决定公示")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=DisclosureState.WITHDRAWN) | ~Q(withdrawal_reason=""),
                name="disclosure_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=DisclosureState.EXEMPTED) | ~Q(exemption_reason=""),
                name="disclosure_exemption_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(party_is_person=False) | Q(party_credit_code=""),
                name="disclosure_person_has_no_code",
            ),
        ]
        indexes = [
            # The public list and the Atom feed: newest publications first.
            models.Index(fields=["state", "-published_at"], name="disclosure_public_idx"),
            # The staff list: a department's records by state.
            models.Index(fields=["department", "state"], name="disclosure_department_idx"),
        ]

    def __str__(self):
        return f"{self.decision_number} {self.matter}"

    def get_absolute_url(self):
        """The public page once published; before that the staff page listing this record."""
        if self.is_public:
            return reverse("approvals:result", args=[self.pk])
        return f"{reverse('approvals:results_desk')}?{urlencode({'state': self.state, 'q': self.decision_number})}"

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.state in PUBLIC_DISCLOSURE_STATES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state == DisclosureState.DUE and self.due_on < today
