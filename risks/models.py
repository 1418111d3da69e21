"""Integrity-risk points (廉政风险点), their grading matrix, and the three-level warning loop.

Other apps read this app through ``risks.catalogue`` (grades of a power's steps), ``risks.intake``
(turning a complaint into risk information) and ``risks.indicators`` (the appraisal's figures).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Department, Post
from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of, has_role
from powers.models import FlowStep, Power

from . import grading
from .choices import (
    SCORE_MAX,
    SCORE_MIN,
    Clarity,
    DiscoverySource,
    EvaluationDecision,
    Grade,
    Holder,
    InformationSource,
    InformationStatus,
    OrderStatus,
    Relation,
    ReviewStatus,
    RiskPointStatus,
    RiskType,
    WarningLevel,
    WarningStatus,
)

SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


def _is_overseer(user) -> bool:
    return has_role(user, ADMINISTRATOR, INSPECTOR)


# --- the grading matrix -------------------------------------------------------------------------


class GradingMatrixQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).first()


class GradingMatrix(models.Model):
    """One version of the grading matrix (评权矩阵): weights, thresholds and override rules.

    Rows are never edited: a change is a new version (``risks.services.change_matrix``) that
    re-grades every risk point with the reason given. Exactly one version is current.
    """

    version = models.PositiveIntegerField(_("版本"), unique=True)
    weight_likelihood = models.DecimalField(
        _("可能性权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    weight_harm = models.DecimalField(
        _("危害程度权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    weight_frequency = models.DecimalField(
        _("行使频率权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    weight_discretion = models.DecimalField(
        _("裁量空间权重"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    a_threshold = models.DecimalField(_("A级(红)阈值"), max_digits=4, decimal_places=2)
    b_threshold = models.DecimalField(_("B级(黄)阈值"), max_digits=4, decimal_places=2)
    overrides = models.JSONField(_("覆盖规则"), default=list, blank=True)
    reason = models.TextField(_("调整理由"))
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生效时间"), default=timezone.now)

    objects = GradingMatrixQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险评级矩阵")
        verbose_name_plural = _("风险评级矩阵")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_matrix"
            ),
            models.CheckConstraint(
                condition=Q(b_threshold__lte=models.F("a_threshold")), name="matrix_thresholds_ordered"
            ),
        ]

    def __str__(self):
        return f"评级矩阵 v{self.version}"

    @property
    def weights(self) -> dict:
        return {
            "likelihood": self.weight_likelihood,
            "harm": self.weight_harm,
            "frequency": self.weight_frequency,
            "discretion": self.weight_discretion,
        }

    def as_matrix(self) -> grading.Matrix:
        return grading.make_matrix(self.weights, self.a_threshold, self.b_threshold, self.overrides)


# --- risk points --------------------------------------------------------------------------------


class RiskPointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Confirmed points are public (the catalogue); drafts only to their department and overseers."""
        if _is_overseer(user):
            return self
        condition = Q(status=RiskPointStatus.CONFIRMED)
        department = department_of(user)
        if department is not None and has_role(user, DEPT_HANDLER, DEPT_HEAD):
            condition |= Q(department=department)
        return self.filter(condition)

    def public(self):
        return self.filter(status=RiskPointStatus.CONFIRMED)


class RiskPoint(models.Model):
    """A risk point on a power, optionally one step of its flowchart, and a post (廉政风险点)."""

    code = models.CharField(_("风险点编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="risk_points"
    )
    power = models.ForeignKey(
        Power, verbose_name=_("权力事项"), on_delete=models.PROTECT, related_name="risk_points"
    )
    step = models.ForeignKey(
        FlowStep,
        verbose_name=_("流程环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_points",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="risk_points"
    )
    title = models.CharField(_("风险点"), max_length=120)
    risk_type = models.CharField(_("风险类型"), max_length=16, choices=RiskType.choices)
    source = models.CharField(_("查找方式"), max_length=16, choices=DiscoverySource.choices)
    holder = models.CharField(_("行使主体"), max_length=8, choices=Holder.choices, default=Holder.STAFF)
    description = models.TextField(_("风险表现"))
    # Controls (防控措施)
    measures = models.TextField(_("防控措施"))
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_risk_points",
    )
    responsible_name = models.CharField(_("责任人姓名"), max_length=40)
    commitment = models.TextField(_("廉洁自律承诺"), blank=True)
    separation_rules = models.TextField(_("内部牵制与岗位分离"), blank=True)
    # Scores (评分), 1..5 each; the department proposes, the inspection office may adjust.
    likelihood = models.PositiveSmallIntegerField(_("发生可能性"), validators=SCORE_VALIDATORS)
    harm = models.PositiveSmallIntegerField(_("危害程度"), validators=SCORE_VALIDATORS)
    frequency = models.PositiveSmallIntegerField(_("行使频率"), validators=SCORE_VALIDATORS)
    discretion = models.PositiveSmallIntegerField(_("裁量空间"), validators=SCORE_VALIDATORS)
    score_note = models.TextField(_("评分调整理由"), blank=True)
    # Grade: computed by the current matrix, with the reason in words.
    grade = models.CharField(_("风险等级"), max_length=1, choices=Grade.choices, db_index=True)
    score = models.DecimalField(_("加权评分"), max_digits=4, decimal_places=2)
    grade_reason = models.CharField(_("定级依据"), max_length=300, blank=True)
    matrix = models.ForeignKey(
        GradingMatrix, verbose_name=_("评级矩阵"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=RiskPointStatus.choices, default=RiskPointStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    review_note = models.TextField(_("审核意见"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉政风险点")
        verbose_name_plural = _("廉政风险点")
        ordering = ["department__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=SCORE_MIN, likelihood__lte=SCORE_MAX)
                & Q(harm__gte=SCORE_MIN, harm__lte=SCORE_MAX)
                & Q(frequency__gte=SCORE_MIN, frequency__lte=SCORE_MAX)
                & Q(discretion__gte=SCORE_MIN, discretion__lte=SCORE_MAX),
                name="riskpoint_scores_in_range",
            ),
        ]
        indexes = [
            # The public catalogue and the heat map: confirmed points by department and grade.
            models.Index(fields=["status", "department", "grade"], name="riskpoint_catalogue_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("risks:point", args=[self.pk])

    @property
    def scores(self) -> dict:
        return {
            "likelihood": self.likelihood,
            "harm": self.harm,
            "frequency": self.frequency,
            "discretion": self.discretion,
        }

    @property
    def colour(self) -> str:
        from .choices import GRADE_COLOUR

        return GRADE_COLOUR.get(self.grade, "")


class RiskPointVersion(models.Model):
    """A kept version of a risk point: what was submitted and what became of it (版本留存)."""

    point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    status = models.CharField(_("结果"), max_length=12, choices=RiskPointStatus.choices)
    note = models.TextField(_("意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("风险点版本")
        verbose_name_plural = _("风险点版本")
        ordering = ["point", "-version", "-id"]

    def __str__(self):
        return f"{self.point.code} v{self.version}"


class Acknowledgement(models.Model):
    """A civil servant's acknowledgement of the power-risk list of their post (权力风险清单签认)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签认人"), on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="+")
    points = models.JSONField(_("签认时的风险点"), default=list)
    acknowledged_at = models.DateTimeField(_("签认时间"), default=timezone.now)

    class Meta:
        verbose_name = _("权力风险清单签认")
        verbose_name_plural = _("权力风险清单签认")
        ordering = ["-acknowledged_at"]

    def __str__(self):
        return f"{self.person} · {self.post} · {self.acknowledged_at:%Y-%m-%d}"


# --- the three-level warning loop ---------------------------------------------------------------


class WarningLoopQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Overseers see all; a department's staff see what is addressed to the department (not to a
        person); a person sees what is addressed to them."""
        if _is_overseer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        condition = Q(person=user)
        department = department_of(user)
        if department is not None and has_role(user, DEPT_HANDLER, DEPT_HEAD):
            condition |= Q(department=department, person__isnull=True)
        return self.filter(condition)


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Overseers see all; the addressed department's staff see its orders (they rectify), even when
        the order names a person; the person named sees it too."""
        if _is_overseer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        condition = Q(person=user)
        department = department_of(user)
        if department is not None and has_role(user, DEPT_HANDLER, DEPT_HEAD):
            condition |= Q(department=department)
        return self.filter(condition)


class RiskInformationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Risk information is the inspection office's working material."""
        return self if _is_overseer(user) else self.none()


class RiskInformation(models.Model):
    """A piece of risk information gathered and assessed (信息收集—分析评估)."""

    number = models.CharField(_("编号"), max_length=40, unique=True)
    source = models.CharField(_("来源"), max_length=12, choices=InformationSource.choices)
    # The source record, for alerts and complaints: its kind and id (no foreign key across apps).
    source_ref = models.CharField(_("来源记录"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("情况"))
    department = models.ForeignKey(
        Department, verbose_name=_("涉及单位"), on_delete=models.PROTECT, related_name="risk_information"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    power = models.ForeignKey(
        Power,
        verbose_name=_("涉及权力事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    risk_point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("涉及风险点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grade = models.CharField(_("评估等级"), max_length=1, choices=Grade.choices, blank=True)
    assessment = models.TextField(_("分析评估意见"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=InformationStatus.choices, default=InformationStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("收集时间"), default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)

    objects = RiskInformationQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉政风险信息")
        verbose_name_plural = _("廉政风险信息")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # One click on an alert (or a complaint) makes one piece of information, however often clicked.
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="information_once_per_source",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("risks:information", args=[self.pk])


class WarningNotice(models.Model):
    """廉政风险预警警报: a red/yellow/blue warning to a department or a person."""

    number = models.CharField(_("文号"), max_length=40, unique=True)
    information = models.ForeignKey(
        RiskInformation, verbose_name=_("风险信息"), on_delete=models.PROTECT, related_name="warnings"
    )
    level = models.CharField(_("预警级别"), max_length=8, choices=WarningLevel.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("预警单位"), on_delete=models.PROTECT, related_name="risk_warnings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预警对象(个人)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("预警内容"))
    requirements = models.TextField(_("防范要求"))
    status = models.CharField(
        _("状态"), max_length=14, choices=WarningStatus.choices, default=WarningStatus.ISSUED
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    objects = WarningLoopQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉政风险预警警报")
        verbose_name_plural = _("廉政风险预警警报")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.number}（{self.get_level_display()}）"

    def get_absolute_url(self):
        return reverse("risks:warning", args=[self.pk])


class SupervisionOrder(models.Model):
    """廉政风险督办书: a rectification plan with a deadline in working days, answered and verified."""

    number = models.CharField(_("文号"), max_length=40, unique=True)
    information = models.ForeignKey(
        RiskInformation, verbose_name=_("风险信息"), on_delete=models.PROTECT, related_name="orders"
    )
    warning = models.ForeignKey(
        WarningNotice,
        verbose_name=_("预警警报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="risk_orders"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField(_("整改方案要求"))
    prevention = models.TextField(_("防范要求"), blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("整改期限(工作日)"))
    deadline_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    rectification = models.TextField(_("整改情况"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    review_note = models.TextField(_("核实意见"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("发出时间"), default=timezone.now)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉政风险督办书")
        verbose_name_plural = _("廉政风险督办书")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="riskorder_department_idx")]

    def __str__(self):
        return f"{self.number} {self.department}"

    def get_absolute_url(self):
        return reverse("risks:order", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        from .choices import AWAITING_RECTIFICATION

        return self.status in AWAITING_RECTIFICATION and self.deadline_on < timezone.localdate()


# --- reviews, conflict of interest, the ten clarities --------------------------------------------


class OfficeOrOwnDepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _is_overseer(user):
            return self
        department = department_of(user)
        if department is None:
            return self.none()
        return self.filter(department=department)


class SelfReview(models.Model):
    """A department's quarterly self-review of its risk points (季度自查), timed by monitoring."""

    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    due_on = models.DateField(_("报送期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    report = models.TextField(_("自查情况"), blank=True)
    points_reviewed = models.PositiveIntegerField(_("自查风险点数"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    review_note = models.TextField(_("审阅意见"), blank=True)

    objects = OfficeOrOwnDepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("季度自查")
        verbose_name_plural = _("季度自查")
        ordering = ["-year", "-quarter", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter"], name="one_self_review_per_quarter"
            )
        ]

    def __str__(self):
        return f"{self.department} {self.year}年第{self.quarter}季度自查"

    def get_absolute_url(self):
        # The self-reviews are shown on their department's panel (there is no page per review).
        return reverse("risks:department", args=[self.department.code])


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Evaluation results are part of the integrity file: the office and the person only."""
        if _is_overseer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(person=user)


class DemocraticEvaluation(models.Model):
    """Half-yearly democratic evaluation of one person (民主评议): satisfaction from colleagues and users.

    Below ``SATISFACTION_FLAG_BELOW`` % the person is flagged; the office records its decision.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被评议人"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("评议期起"))
    period_end = models.DateField(_("评议期止"))
    respondents = models.PositiveIntegerField(
        _("参评人数"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    satisfied = models.PositiveIntegerField(_("满意人数"), validators=[MaxValueValidator(100000)])
    satisfaction = models.DecimalField(_("满意率(%)"), max_digits=5, decimal_places=2)
    flagged = models.BooleanField(_("低于60%待研究"), default=False)
    decision = models.CharField(
        _("研究决定"), max_length=12, choices=EvaluationDecision.choices, blank=True, default=""
    )
    decision_note = models.TextField(_("决定说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-period_end", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "period_end"], name="one_evaluation_per_period"),
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("respondents")), name="satisfied_le_respondents"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.period_end:%Y-%m} {self.satisfaction}%"


class ConflictQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Declarations are personal: the office and the declaring person only."""
        if _is_overseer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(person=user)


class ConflictDeclaration(models.Model):
    """A declared relation (防止利益冲突申报): spouse, relatives, former employer, business interests."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    counterpart_name = models.CharField(_("对方姓名或名称"), max_length=100)
    # Compared with case applicants' document numbers; stored as entered, never shown on public pages.
    counterpart_id_number = models.CharField(_("证件号码或统一社会信用代码"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("利益冲突申报")
        verbose_name_plural = _("利益冲突申报")
        ordering = ["person_id", "-declared_at"]
        indexes = [models.Index(fields=["counterpart_name"], name="conflict_counterpart_idx")]

    def __str__(self):
        return f"{self.person} · {self.get_relation_display()} · {self.counterpart_name}"


class Recusal(models.Model):
    """A recusal (回避) recorded by a person from a matter where a declared relation is involved."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回避人"), on_delete=models.PROTECT, related_name="+"
    )
    declaration = models.ForeignKey(
        ConflictDeclaration, verbose_name=_("所涉申报"), null=True, blank=True, on_delete=models.SET_NULL
    )
    matter = models.CharField(_("回避事项"), max_length=200)
    matter_ref = models.CharField(_("事项编号"), max_length=64, blank=True)
    reason = models.TextField(_("回避理由"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("回避记录")
        verbose_name_plural = _("回避记录")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.person} 回避 {self.matter}"


class ClarityEvidence(models.Model):
    """Evidence for a clarity that the data cannot show (领导小组、工作方案、会审会制度)."""

    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    clarity = models.CharField(_("十明确事项"), max_length=16, choices=Clarity.choices)
    evidence = models.TextField(_("佐证材料说明"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = OfficeOrOwnDepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("十明确佐证")
        verbose_name_plural = _("十明确佐证")
        constraints = [
            models.UniqueConstraint(fields=["department", "clarity"], name="one_evidence_per_clarity")
        ]

    def __str__(self):
        return f"{self.department} {self.get_clarity_display()}"


class IntegrityFileShare(models.Model):
    """The inspection office shares a person's integrity file with one viewer (e.g. the department head)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("档案所属人"), on_delete=models.CASCADE, related_name="+"
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("可查看人"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("共享理由"), max_length=200)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(_("共享时间"), default=timezone.now)

    class Meta:
        verbose_name = _("廉政档案共享")
        verbose_name_plural = _("廉政档案共享")
        constraints = [models.UniqueConstraint(fields=["person", "viewer"], name="one_share_per_viewer")]

    def __str__(self):
        return f"{self.person} → {self.viewer}"
