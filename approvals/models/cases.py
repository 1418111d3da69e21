"""Cases (办件), their materials, steps, trail, suspensions, fees, penalties, ratings and notifications.

State changes are verbs in ``approvals.services``; nothing here changes a case's status by itself.
"""

from decimal import Decimal

from django.core.validators import FileExtensionValidator
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.masking import mask_middle, mask_name
from portal.models import Department, Post
from portal.roles import (
    ADMINISTRATOR,
    INSPECTOR,
    LEGAL_REVIEWER,
    WINDOW_CLERK,
    department_of,
    has_role,
)
from portal.rows import insert
from powers.models import DiscretionStandard, FlowStep, Power

from .. import due
from ..choices import (
    OPEN_STATUSES,
    RATING_SCORES,
    ApplicantType,
    CaseKind,
    CaseStatus,
    Channel,
    Decision,
    EventKind,
    NotificationChannel,
    NotificationEvent,
    NotificationStatus,
    SuspensionKind,
)
from .items import UPLOAD_EXTENSIONS, USER, Material, ServiceItem, Window, _page_or_api

# Cases not closed: every case a working tab of the desk can show (the verbs set closed_at when a
# case reaches a terminal status, which it never leaves). A condition without parameters, so SQLite
# can use the partial indexes built on it (it cannot prove ``status IN (?, …)`` from bound values).
NOT_CLOSED = Q(closed_at__isnull=True)
# "No due date" as a sort key: ``due_on NULLS LAST`` in a form both databases read from an index.
NO_DUE_DATE = ExpressionWrapper(Q(due_on__isnull=True), output_field=models.BooleanField())
DESK_ORDER = (F("green_channel").desc(), NO_DUE_DATE.asc(), F("due_on").asc(), F("id").asc())

# A department's list (visible_to's join on CaseAccess) sorted by case id is sorted by the join's own
# key, which the index walks in order: PostgreSQL sees that through the join's equality, SQLite
# does not (it would sort every case of the department for each page).
_BY_ACCESS = {
    "id": "access__case_id",
    "-id": "-access__case_id",
    "pk": "access__case_id",
    "-pk": "-access__case_id",
}


class CaseQuerySet(models.QuerySet):
    _by_access = False  # filtered by visible_to's join on CaseAccess: one row per case

    def _clone(self):
        clone = super()._clone()
        clone._by_access = self._by_access
        return clone

    def order_by(self, *field_names):
        if self._by_access:
            field_names = [_BY_ACCESS.get(f, f) if isinstance(f, str) else f for f in field_names]
        return super().order_by(*field_names)

    def visible_to(self, user):
        """Who sees which cases.

        Administrators, inspectors and legal reviewers: all. Window clerks of the centre: every
        application (one window accepts for all stationed departments) and their own department's
        cases. Department staff: their department's cases, the sub-cases addressed to them, the
        parents of those sub-cases and the sub-cases of their own cases — the rows of ``CaseAccess``
        for their department. Anonymous: none (citizens track a case with its code and query secret
        instead).
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if has_role(user, ADMINISTRATOR, INSPECTOR, LEGAL_REVIEWER):
            return self
        department = department_of(user)
        if has_role(user, WINDOW_CLERK):
            condition = Q(kind=CaseKind.APPLICATION)  # nearly every case: a page is found at once
            if department is not None:
                condition |= Q(pk__in=CaseAccess.objects.filter(department=department).values("case_id"))
            return self.filter(condition)
        if department is None:
            return self.none()
        # A join on the department's rows of CaseAccess (unique per case, so no duplicates): the
        # database walks that index in case order — newest first for the lists, a keyset page
        # from any point — and fetches each case by its primary key, however few the department's
        # cases are among millions.
        joined = self.filter(access__department=department)
        joined._by_access = True
        return joined

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_suspension_flag(self):
        """Annotate ``is_suspended`` from the ledger (an open Suspension entry)."""
        return self.annotate(
            is_suspended=Exists(Suspension.objects.filter(case=OuterRef("pk"), ended_at__isnull=True))
        )

    def overdue(self, today=None):
        """Open cases past their statutory due date and not suspended (``approvals.due``)."""
        today = today or timezone.localdate()
        running = ~Exists(Suspension.objects.filter(case=OuterRef("pk"), ended_at__isnull=True))
        return self.filter(due.overdue_q(today, running))

    def due_soon(self, today=None):
        """Open cases whose statutory or promised date is near or past (``approvals.due``)."""
        return self.filter(due.due_soon_q(today or timezone.localdate()))

    def for_list(self):
        """What every case list shows, in a constant number of queries."""
        return self.select_related(
            "item", "department", "power", "current_step", "current_post", "parent"
        ).with_suspension_flag()

    def desk_order(self):
        """Green channel first (绿色通道), then the nearest due date, cases without one last: the
        order of the index case_desk_idx over the cases not closed (the desk's working tabs)."""
        return self.order_by(*DESK_ORDER)


class Case(models.Model):
    """A case (办件): an application, or an enforcement case started by an officer."""

    code = models.CharField(_("办件编号"), max_length=30, unique=True)
    query_secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    # The digest of the secret handed to the applicant at intake (on the receipt). Rating needs it:
    # a secret reissued at a window tracks the case but never rates it, so a clerk cannot rate as the
    # public. Empty: nobody can rate (e.g. a legacy case whose secret had been reissued).
    rating_secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=CaseKind.choices, default=CaseKind.APPLICATION)
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("服务事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    power = models.ForeignKey(
        Power, verbose_name=_("权力事项(版本)"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("办理单位"), on_delete=models.PROTECT, related_name="cases"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcases",
        # case_subcases_idx (partial): an index holding every NULL made SQLite read "parent IS NULL"
        # (the desk's intake tab, 99 % of the rows) as a selective lookup and walk the whole table.
        db_index=False,
    )
    # The parent's department, copied when a sub-case is opened (its CaseAccess row is written from it).
    parent_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    applicant_name = models.CharField(_("申请人(当事人)"), max_length=100)
    applicant_id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    applicant_type = models.CharField(
        _("申请人类型"), max_length=16, choices=ApplicantType.choices, default=ApplicantType.PERSON
    )
    description = models.TextField(_("申请内容(案情)"), blank=True)
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices, default=Channel.WINDOW)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    green_channel_reason = models.CharField(_("绿色通道理由"), max_length=300, blank=True)

    status = models.CharField(
        _("状态"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    created_by = models.ForeignKey(
        USER, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        USER, verbose_name=_("受理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The limits in force for this case, copied at acceptance (the item may change later).
    statutory_days = models.PositiveSmallIntegerField(_("法定时限(工作日)"), null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限(工作日)"), null=True, blank=True)
    due_on = models.DateField(_("法定办结日期"), null=True, blank=True)
    promised_due_on = models.DateField(_("承诺办结日期"), null=True, blank=True)
    # True while a due date falls in a year whose official calendar is not known yet.
    due_provisional = models.BooleanField(_("日期待定(日历未公布)"), default=False)
    suspended_days = models.PositiveSmallIntegerField(_("暂停计时工作日合计"), default=0)

    current_step = models.ForeignKey(
        FlowStep,
        verbose_name=_("当前环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_post = models.ForeignKey(
        Post, verbose_name=_("当前岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    decision = models.CharField(_("办理结果"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("决定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Set when the case leaves the active lists for good (completed or not accepted).
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    on_time = models.BooleanField(_("按法定时限办结"), null=True, blank=True)
    promised_on_time = models.BooleanField(_("按承诺时限办结"), null=True, blank=True)
    # Working days from acceptance to completion, less the suspended days; set by the completion
    # verbs so the efficiency analysis (approvals.efficiency) can average it in the database.
    working_days_used = models.PositiveSmallIntegerField(_("办理用时(工作日)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_due_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(promised_due_on__lte=F("due_on")),
                name="case_promised_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(kind=CaseKind.ENFORCEMENT) | Q(item__isnull=False) | Q(parent__isnull=False),
                name="case_application_has_item",
            ),
        ]
        indexes = [
            # Desk and API lists: a department's cases by status.
            models.Index(fields=["department", "status"], name="case_department_status_idx"),
            # A department's cases newest first (the lists filtered by department).
            models.Index(fields=["department", "-id"], name="case_department_id_idx"),
            # Sub-cases addressed to a department (the desk's 并联会签 tab).
            models.Index(
                fields=["department", "parent"], condition=Q(parent__isnull=False), name="case_cosigned_idx"
            ),
            # A case's sub-cases (the case page, the parallel verbs).
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="case_subcases_idx"),
            # The "overdue" filter and the efficiency figures: open cases by due date.
            models.Index(fields=["status", "due_on"], name="case_status_due_idx"),
            models.Index(fields=["status", "promised_due_on"], name="case_status_promised_idx"),
            models.Index(fields=["kind", "status"], name="case_kind_status_idx"),
            # The desk's working tabs, over the cases not closed only (a few percent of the table): a
            # page in the desk order (desk_order, its leading columns), and the tabs' counts from the
            # index alone (the columns their conditions read follow).
            models.Index(
                F("green_channel").desc(),
                NO_DUE_DATE,
                F("due_on"),
                F("id"),
                F("status"),
                F("kind"),
                F("parent"),
                F("department"),
                F("current_step"),
                F("current_post"),
                F("promised_due_on"),
                F("closed_at"),  # always NULL here: lets SQLite read the tabs' conditions from the index
                condition=NOT_CLOSED,
                name="case_desk_idx",
            ),  # fmt: skip
            # The efficiency analysis: cases completed in a month or a year.
            models.Index(
                fields=["completed_at"], condition=Q(completed_at__isnull=False), name="case_completed_idx"
            ),
            # The anomaly rules' incremental run: cases changed since the last run.
            models.Index(fields=["updated_at"], name="case_updated_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.item.name if self.item_id else self.power.name}"

    def save(self, *args, **kwargs):
        if self.parent_id and not self.parent_department_id:
            self.parent_department_id = self.parent.department_id
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # every verb that creates a case (intake, 立案, 会签) comes through here
            CaseAccess.grant(self)

    def get_absolute_url(self):
        """The case's page with its full trail (the API record until the pages exist)."""
        return _page_or_api("approvals:case", "case-detail", self.code)

    @property
    def is_subcase(self) -> bool:
        return self.parent_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def masked_id_number(self) -> str:
        """For staff pages until the audited 查看完整联系方式: 3502**********1234."""
        return mask_middle(self.applicant_id_number, head=4, tail=4)

    @property
    def masked_phone(self) -> str:
        """For staff pages, SMS records and notices: 138****5678."""
        return mask_middle(self.applicant_phone, head=3, tail=4)

    @property
    def masked_name(self) -> str:
        """For public pages: a person as 张** (``portal.masking``); an organisation by its name."""
        name = self.applicant_name
        return mask_name(name) if self.applicant_type == ApplicantType.PERSON else name

    @property
    def title(self) -> str:
        return self.item.name if self.item_id else self.power.name

    def open_suspension(self):
        """The open entry of the suspension ledger, or None (uses ``is_suspended`` when annotated)."""
        if getattr(self, "is_suspended", True) is False:
            return None
        return self.suspensions.filter(ended_at__isnull=True).first()

    def is_overdue(self, today=None) -> bool:
        """Open, not suspended and past its statutory due date (``approvals.due``)."""
        return due.due_state(self, today=today) == due.OVERDUE


class CaseAccess(models.Model):
    """Which departments' staff see a case (``Case.objects.visible_to``): one row per department
    and case — the case's own department; for a sub-case (会签件) also the parent's department; and
    for a parent, each department a sub-case of it is addressed to.

    Written with the case (``Case.save`` on insert: intake, 立案 and ``open_parallel`` all create
    cases through it) and, for rows loaded in bulk without ``save()``, by ``fill`` in one statement.
    A case's department never changes, so the rows are never rewritten. The primary key
    (department, case) is the index every department's list walks, newest case first.
    """

    pk = models.CompositePrimaryKey("department", "case")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access")

    class Meta:
        verbose_name = _("办件可见单位")
        verbose_name_plural = _("办件可见单位")

    def __str__(self):
        return f"{self.case_id}@{self.department_id}"

    @classmethod
    def grant(cls, case: Case) -> None:
        """The rows of a case just created (one INSERT)."""
        own = cls.own(case)
        if not case.parent_id:  # the usual case (every application): one row, no conflict possible
            insert(own)
            return
        rows = [
            own,
            cls(department_id=case.parent_department_id, case_id=case.pk),
            cls(department_id=case.department_id, case_id=case.parent_id),
        ]
        cls.objects.bulk_create(rows, ignore_conflicts=True)

    @classmethod
    def own(cls, case: Case) -> "CaseAccess":
        """The row of a case's own department (all a case without a parent has)."""
        return cls(department_id=case.department_id, case_id=case.pk)

    @classmethod
    def fill(cls, first_id: int = 0) -> int:
        """The rows of every case with an id from ``first_id`` on (cases written in bulk, without
        ``save()``), in one ``INSERT … SELECT``; rows already there are kept. Returns the rows added."""
        case = Case._meta.db_table
        sql = f"""
            INSERT INTO {cls._meta.db_table} (department_id, case_id)
            SELECT department_id, id FROM {case} WHERE id >= %(first)s
            UNION SELECT COALESCE(c.parent_department_id, p.department_id), c.id
                FROM {case} AS c JOIN {case} AS p ON p.id = c.parent_id
                WHERE c.id >= %(first)s AND c.parent_id IS NOT NULL
            UNION SELECT department_id, parent_id FROM {case}
                WHERE id >= %(first)s AND parent_id IS NOT NULL
            ON CONFLICT DO NOTHING
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, {"first": first_id})
            return cursor.rowcount


class CaseMaterial(models.Model):
    """A material handed in for a case: an uploaded file, or paper checked at the window."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(
        _("文件"),
        upload_to="cases/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
    )
    on_paper = models.BooleanField(_("纸质材料已核验"), default=False)
    uploaded_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "material__order", "id"]

    def __str__(self):
        return self.name


class CorrectionNotice(models.Model):
    """A one-time notice of every missing material (一次性告知补正)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    missing = models.JSONField(
        _("需补正材料"), default=list, help_text=_("[{material: id|null, name: 名称}]")
    )
    note = models.TextField(_("说明"), blank=True)
    issued_at = models.DateTimeField(_("告知时间"), default=timezone.now)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "issued_at"]

    def __str__(self):
        return "、".join(entry["name"] for entry in self.missing)


class CaseStep(models.Model):
    """One flowchart step of one case: who, on which post, when, with what opinion (留痕)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    flow_step = models.ForeignKey(
        FlowStep, verbose_name=_("流程环节"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=60)
    post = models.ForeignKey(
        Post, verbose_name=_("承办岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"))
    due_on = models.DateField(_("环节时限"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        USER, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_post = models.ForeignKey(
        Post, verbose_name=_("经办岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acted_as_backup = models.BooleanField(_("B岗代办"), default=False)
    opinion = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "id"]
        constraints = [
            # At most one step of a case is open at a time: steps run one after the other.
            models.UniqueConstraint(
                fields=["case"], condition=Q(finished_at__isnull=True), name="casestep_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class CaseEvent(models.Model):
    """An entry of a case's trail (留痕). Who (and on which post), when, what."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("事项"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人(显示)"), max_length=80, blank=True)
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Suspension(models.Model):
    """The suspension ledger (暂停计时台账): time the law excludes from the limit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("情形"), max_length=16, choices=SuspensionKind.choices)
    reason = models.TextField(_("理由"))
    started_at = models.DateTimeField(_("开始时间"))
    started_on = models.DateField(_("开始日期"))
    max_days = models.PositiveSmallIntegerField(_("最长(工作日)"))
    ends_by = models.DateField(_("最迟恢复日期"))
    started_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("不计时工作日"), null=True, blank=True)
    resume_note = models.TextField(_("恢复说明"), blank=True)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["case", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="suspension_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="suspension_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or '…'}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class FeePayment(models.Model):
    """The fee collected at the one fee window (一个窗口收费)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="fee_payment")
    amount = models.DecimalField(_("实收金额(元)"), max_digits=12, decimal_places=2)
    expected_amount = models.DecimalField(_("应收金额(元)"), max_digits=12, decimal_places=2)
    receipt_no = models.CharField(_("票据号"), max_length=40, unique=True)
    justification = models.TextField(
        _("差额说明"), blank=True, help_text=_("实收与应收不一致时必须说明（例如减免依据）")
    )
    window = models.ForeignKey(
        Window, verbose_name=_("收费窗口"), null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("收费时间"))

    class Meta:
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_payment_not_negative"),
            models.CheckConstraint(
                condition=Q(amount=F("expected_amount")) | ~Q(justification=""),
                name="fee_difference_justified",
            ),
        ]

    def __str__(self):
        return f"{self.receipt_no} {self.amount}元"


class PenaltyDecision(models.Model):
    """The discretion applied in an enforcement decision (自由裁量): fact, band, amount, reasons."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="penalty")
    standard = models.ForeignKey(
        DiscretionStandard, verbose_name=_("裁量基准"), on_delete=models.PROTECT, related_name="+"
    )
    fact = models.DecimalField(_("情节数值"), max_digits=14, decimal_places=2)
    band_order = models.PositiveSmallIntegerField(_("档次"))
    band_severity = models.CharField(_("情节"), max_length=20)
    band_amount_min = models.DecimalField(_("基准下限"), max_digits=14, decimal_places=2)
    band_amount_max = models.DecimalField(_("基准上限"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("决定金额"), max_digits=14, decimal_places=2)
    # Read by the monitoring anomaly rule: an amount outside the band, even when justified.
    outside_band = models.BooleanField(_("超出裁量基准"), default=False, db_index=True)
    reasons = models.TextField(_("说明理由"), blank=True)
    collective_discussion_record = models.TextField(_("集体讨论记录"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("裁量决定")
        verbose_name_plural = _("裁量决定")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="penalty_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(outside_band=False) | ~Q(reasons=""), name="penalty_outside_band_has_reasons"
            ),
        ]

    def __str__(self):
        return f"{self.amount}{self.standard.amount_unit}（{self.band_severity}）"


class Rating(models.Model):
    """The applicant's satisfaction rating (满意度评议), once per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("评分"), choices=RATING_SCORES)
    comment = models.TextField(_("意见建议"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(_("评议时间"), default=timezone.now)

    class Meta:
        verbose_name = _("满意度评议")
        verbose_name_plural = _("满意度评议")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self):
        return f"{self.case.code} {self.get_score_display()}"


class Notification(models.Model):
    """A message to the applicant, written by the verb (``approvals.notifications``; one per case and
    event) and sent by the kernel's outbox, which marks it sent or, after the last attempt, failed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("事由"), max_length=24, choices=NotificationEvent.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(_("接收号码"), max_length=30, blank=True)
    text = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件通知")
        verbose_name_plural = _("办件通知")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "event"], name="notification_once_per_event")]

    def __str__(self):
        return f"{self.case.code} {self.get_event_display()}"


def fee_total_of(case: Case) -> Decimal:
    """What the applicant owes for ``case`` (zero for enforcement cases and free items)."""
    if case.item_id is None:
        return Decimal("0")
    return case.item.fees.aggregate(total=Sum("amount"))["total"] or Decimal("0")
