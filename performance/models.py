"""Performance appraisal (绩效考评): years and periods, series, indicator systems, scores, results.

Changed only through ``performance.services`` (the verbs) except the configuration of indicator
systems, which the appraisal office edits in the admin (validated before every run).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Department
from portal.roles import ADMINISTRATOR, APPRAISER, INSPECTOR, department_of, has_role

from .choices import (
    CriterionStatus,
    Direction,
    EntryStatus,
    Grade,
    RaterKind,
    RectificationStatus,
    Rule,
    Source,
    Vote,
    YearStatus,
)

USER = settings.AUTH_USER_MODEL
OFFICE_ROLES = (APPRAISER, ADMINISTRATOR)


def _score_field(label, **kwargs):
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


def _weight_field(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("百分比，同一层级合计为 100"),
    )


class AppraisalYear(models.Model):
    year = models.PositiveSmallIntegerField(
        _("考评年度"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("名称"), max_length=100)
    has_quarters = models.BooleanField(_("分季度考评"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=YearStatus.choices, default=YearStatus.OPEN)
    excellent_min = _score_field(_("优秀分数线"), default=90)
    good_min = _score_field(_("良好分数线"), default=80)
    average_min = _score_field(_("一般分数线"), default=60)
    rectification_days = models.PositiveSmallIntegerField(
        _("整改报告期限(工作日)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    computed_at = models.DateTimeField(_("计分时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考评年度")
        verbose_name_plural = _("考评年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_min__gt=models.F("good_min"), good_min__gt=models.F("average_min")),
                name="appraisal_year_thresholds_ordered",
            )
        ]

    def __str__(self):
        return self.name or f"{self.year}年度"

    def get_absolute_url(self):
        return reverse("performance:ranking", args=[self.year])

    @property
    def is_published(self) -> bool:
        return self.status == YearStatus.PUBLISHED

    @property
    def thresholds(self) -> dict:
        return {"excellent": self.excellent_min, "good": self.good_min, "average": self.average_min}


class Period(models.Model):
    """The whole year (quarter 0) or one of its quarters: online votes and routine checks belong to one."""

    year = models.ForeignKey(
        AppraisalYear, verbose_name=_("考评年度"), on_delete=models.CASCADE, related_name="periods"
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), default=0, validators=[MaxValueValidator(4)], help_text=_("0 表示全年")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    voting_open = models.BooleanField(_("开放网上评议"), default=False)

    class Meta:
        verbose_name = _("考评周期")
        verbose_name_plural = _("考评周期")
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="period_one_per_quarter"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"
            ),
        ]

    def __str__(self):
        if self.quarter:
            return f"{self.year.year}年第{self.quarter}季度"
        return f"{self.year.year}年度"


class Series(models.Model):
    """An appraisal series (考评系列) of one year, with its own indicator system and public share."""

    year = models.ForeignKey(
        AppraisalYear, verbose_name=_("考评年度"), on_delete=models.CASCADE, related_name="series"
    )
    code = models.SlugField(_("系列编码"), max_length=30)
    name = models.CharField(_("系列名称"), max_length=60)
    group = models.CharField(_("类别"), max_length=30, blank=True, help_text=_("例如 A类、B类"))
    public_share = models.DecimalField(
        _("公众评议占比"),
        max_digits=3,
        decimal_places=2,
        default=0.4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0–1；总分 =（1 − 占比）× 内部考评 + 占比 × 公众评议"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    departments = models.ManyToManyField(
        Department, through="Membership", verbose_name=_("参评单位"), related_name="appraisal_series"
    )

    class Meta:
        verbose_name = _("考评系列")
        verbose_name_plural = _("考评系列")
        ordering = ["year", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="series_code_per_year")]

    def __str__(self):
        return f"{self.group}{self.name}" if self.group and self.group not in self.name else self.name

    @property
    def share_percent(self) -> str:
        return f"{self.public_share * 100:g}"


class Membership(models.Model):
    """A department belongs to one series per year."""

    year = models.ForeignKey(AppraisalYear, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        Series, verbose_name=_("考评系列"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("参评单位")
        verbose_name_plural = _("参评单位")
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="membership_one_series_per_year")
        ]

    def __str__(self):
        return f"{self.series} · {self.department}"

    def save(self, *args, **kwargs):
        self.year_id = self.series.year_id
        super().save(*args, **kwargs)


class RaterWeight(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="rater_weights")
    kind = models.CharField(_("评议主体"), max_length=24, choices=RaterKind.choices)
    weight = _weight_field(_("权重"))

    class Meta:
        verbose_name = _("公众评议主体权重")
        verbose_name_plural = _("公众评议主体权重")
        ordering = ["series", "kind"]
        constraints = [models.UniqueConstraint(fields=["series", "kind"], name="rater_weight_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.weight}%"


class Category(models.Model):
    """First level of a series' indicator system (一级指标)."""

    series = models.ForeignKey(
        Series, verbose_name=_("考评系列"), on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("一级指标"), max_length=60)
    weight = _weight_field(_("权重"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一级指标")
        verbose_name_plural = _("一级指标")
        ordering = ["series", "order", "id"]

    def __str__(self):
        return f"{self.name}（{self.weight:g}%）"


class Indicator(models.Model):
    """Second level (二级指标): direction, scoring rule, data source and the evidence it asks for."""

    category = models.ForeignKey(
        Category, verbose_name=_("一级指标"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("指标编码"), max_length=40)
    name = models.CharField(_("二级指标"), max_length=100)
    weight = _weight_field(_("权重"))
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    rule = models.CharField(_("计分规则"), max_length=12, choices=Rule.choices, default=Rule.LINEAR)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4, null=True, blank=True)
    floor = models.DecimalField(_("底线值"), max_digits=12, decimal_places=4, null=True, blank=True)
    bands = models.JSONField(
        _("分档"), default=list, blank=True, help_text=_('[{"limit": 95, "score": 100}, …]')
    )
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    source_key = models.CharField(
        _("计算数据源"),
        max_length=60,
        blank=True,
        help_text=_("系统计算指标的数据源名称（见 performance.sources）"),
    )
    unit = models.CharField(_("计量单位"), max_length=16, blank=True)
    evidence = models.CharField(_("佐证材料要求"), max_length=200, blank=True)
    is_key_task = models.BooleanField(_("重点工作(需申报考评细则)"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("二级指标")
        verbose_name_plural = _("二级指标")
        ordering = ["category__order", "category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="indicator_code_per_category")
        ]

    def __str__(self):
        return self.name


class KeyTaskCriterion(models.Model):
    """A unit's detailed criteria for a key task (Shenyang's first step), checked against the work report."""

    year = models.ForeignKey(
        AppraisalYear, verbose_name=_("考评年度"), on_delete=models.CASCADE, related_name="criteria"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="criteria"
    )
    title = models.CharField(_("重点工作"), max_length=200)
    work_report_ref = models.CharField(_("政府工作报告依据"), max_length=200)
    criterion = models.TextField(_("考评细则"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=12, choices=CriterionStatus.choices, default=CriterionStatus.DECLARED
    )
    declared_by = models.ForeignKey(
        USER, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("申报时间"))
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("核定时间"), null=True, blank=True)
    review_note = models.TextField(_("核定意见"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("重点工作考评细则")
        verbose_name_plural = _("重点工作考评细则")
        ordering = ["-declared_at", "-id"]

    def __str__(self):
        return f"{self.department} · {self.title}"


class ScoreEntry(models.Model):
    """An entered figure (routine check, key task) with its evidence; counts once checked.

    The figure is the raw value the indicator's rule scores (e.g. a key task's completion in %).
    The last checked entry of the latest period counts for the year.
    """

    period = models.ForeignKey(
        Period, verbose_name=_("考评周期"), on_delete=models.CASCADE, related_name="entries"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="entries"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        _("数值"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(-(10**7)), MaxValueValidator(10**7)],
    )
    evidence = models.TextField(_("佐证材料"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED
    )
    entered_by = models.ForeignKey(USER, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("填报时间"))
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("核定时间"), null=True, blank=True)
    note = models.TextField(_("核定意见"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("考评填报")
        verbose_name_plural = _("考评填报")
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["indicator", "department", "status"], name="entry_lookup_idx")]

    def __str__(self):
        return f"{self.department} · {self.indicator} = {self.value}"


class OnlineVote(models.Model):
    """A citizen's online evaluation (网上评议) of one unit in one period.

    One vote per unit and period per voter, where a voter is identified by the rule stated on the
    page: a signed cookie's random id, the client address (hashed with a secret) and, if given, the
    phone number (hashed). Each of the three is unique per unit and period.
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="votes")
    department = models.ForeignKey(
        Department, verbose_name=_("被评单位"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("评议"), max_length=14, choices=Vote.choices)
    comment = models.TextField(_("意见建议"), blank=True, max_length=500)
    device_hash = models.CharField(max_length=64, editable=False)
    address_hash = models.CharField(max_length=64, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    cast_at = models.DateTimeField(_("评议时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网上评议")
        verbose_name_plural = _("网上评议")
        ordering = ["-cast_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "department", "device_hash"], name="vote_once_per_device"
            ),
            models.UniqueConstraint(
                fields=["period", "department", "address_hash"], name="vote_once_per_address"
            ),
            models.UniqueConstraint(
                fields=["period", "department", "phone_hash"],
                condition=~Q(phone_hash=""),
                name="vote_once_per_phone",
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.get_choice_display()}"


class SurveyResult(models.Model):
    """A rater kind's survey score of a unit (imported from Excel)."""

    year = models.ForeignKey(AppraisalYear, on_delete=models.CASCADE, related_name="surveys")
    department = models.ForeignKey(
        Department, verbose_name=_("被评单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("评议主体"), max_length=24, choices=RaterKind.choices)
    score = _score_field(_("评议得分"))
    respondents = models.PositiveIntegerField(_("参评人数"), validators=[MaxValueValidator(10**7)])
    imported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("评议调查结果")
        verbose_name_plural = _("评议调查结果")
        ordering = ["year", "department", "kind"]
        constraints = [models.UniqueConstraint(fields=["year", "department", "kind"], name="survey_once")]

    def __str__(self):
        return f"{self.department} {self.get_kind_display()} {self.score}"


class ResultQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published results are public; before publication the office sees all, a unit its own."""
        if has_role(user, *OFFICE_ROLES):
            return self
        published = Q(year__status=YearStatus.PUBLISHED)
        department = department_of(user)
        if department is not None:
            return self.filter(published | Q(department=department))
        return self.filter(published)


class Result(models.Model):
    """A unit's result for a year: internal, public and total scores, rank within its series, grade."""

    year = models.ForeignKey(
        AppraisalYear, verbose_name=_("考评年度"), on_delete=models.CASCADE, related_name="results"
    )
    series = models.ForeignKey(
        Series, verbose_name=_("考评系列"), on_delete=models.CASCADE, related_name="results"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    internal_score = _score_field(_("内部考评得分"))
    public_score = _score_field(_("公众评议得分"), null=True, blank=True)
    public_detail = models.JSONField(_("公众评议明细"), default=dict, blank=True)
    total = _score_field(_("总分"))
    rank = models.PositiveSmallIntegerField(_("名次"))
    rank_note = models.CharField(_("名次说明"), max_length=300, blank=True)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    award_eligible = models.BooleanField(_("可参加年度评优"), default=True)
    computed_at = models.DateTimeField(_("计分时间"))

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering = ["series__order", "rank", "department__code"]
        constraints = [models.UniqueConstraint(fields=["year", "department"], name="result_once_per_year")]

    def __str__(self):
        return f"{self.year.year} {self.department} {self.total}"

    def get_absolute_url(self):
        return reverse("performance:result", args=[self.year.year, self.department.code])


class IndicatorScore(models.Model):
    """One indicator of one result: the raw figure, its score, and what it was computed from."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    raw_value = models.DecimalField(_("原始数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    score = _score_field(_("得分"))
    weighted = models.DecimalField(_("折算分"), max_digits=7, decimal_places=3)
    basis = models.JSONField(_("计算依据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="indicator_score_once")]

    def __str__(self):
        return f"{self.indicator} {self.score}"


class Correction(models.Model):
    """An audited change to a published result (an indicator's score or the public score), with its reason."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="corrections")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("更正项"), max_length=30)
    before = _score_field(_("更正前"), null=True, blank=True)
    after = _score_field(_("更正后"))
    total_before = _score_field(_("更正前总分"))
    total_after = _score_field(_("更正后总分"))
    reason = models.TextField(_("更正理由"), max_length=2000)
    corrected_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("更正时间"))

    class Meta:
        verbose_name = _("结果更正")
        verbose_name_plural = _("结果更正")
        ordering = ["-corrected_at"]

    def __str__(self):
        return f"{self.result} {self.field}: {self.before} → {self.after}"


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The office and inspectors (who supervise its timer) see every report, a unit its own."""
        if has_role(user, *OFFICE_ROLES, INSPECTOR):
            return self
        department = department_of(user)
        return self.filter(department=department) if department else self.none()


class Rectification(models.Model):
    """The rectification report (整改报告) a unit in the last three places of its series owes."""

    result = models.OneToOneField(Result, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("报告期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.ASSIGNED
    )
    report = models.TextField(_("整改报告"), blank=True, max_length=8000)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_note = models.TextField(_("验收意见"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("下达时间"))

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改报告任务")
        verbose_name_plural = _("整改报告任务")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.result.year.year} {self.department} 整改报告"

    def get_absolute_url(self):
        return reverse("performance:rectification", args=[self.pk])


class LeaderRecord(models.Model):
    """The unit's result entered in its leaders' appraisal records (领导班子和领导干部考核)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="leader_records")
    leader = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    leader_name = models.CharField(_("领导干部"), max_length=40)
    text = models.CharField(_("记载内容"), max_length=300)
    recorded_at = models.DateTimeField(_("记载时间"))

    class Meta:
        verbose_name = _("领导干部考核记载")
        verbose_name_plural = _("领导干部考核记载")
        ordering = ["result", "leader_name"]

    def __str__(self):
        return f"{self.leader_name}: {self.text}"
