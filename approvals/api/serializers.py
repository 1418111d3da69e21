"""Serializers of the service-centre API. Reads for staff and the public; writes feed the service verbs."""

import weakref
from types import SimpleNamespace

from django.db import DatabaseError, connections
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import ChoiceLabelField, FieldsBuiltOnce, choice_labels
from portal.models import Department
from powers.choices import Category

from .. import due
from ..choices import ApplicantType, CaseStatus, Channel, Decision, SuspensionKind
from ..models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    CorrectionNotice,
    FeeItem,
    FeePayment,
    Material,
    PenaltyDecision,
    Rating,
    ServiceItem,
    Suspension,
    Window,
)

# --- service items (public) --------------------------------------------------------------


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "order", "name", "required", "copies", "note"]


class FeeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeItem
        fields = ["name", "amount", "basis"]


class WindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Window
        fields = ["number", "name", "is_fee_window"]


class ServiceItemSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    power = serializers.CharField(source="power.code", read_only=True)
    power_name = serializers.CharField(source="power.name", read_only=True)
    category = ChoiceLabelField(Category, source="power.category")  # not a lazy translation per row
    warning_rule = serializers.CharField(source="warning_rule_display", read_only=True)
    fee_total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    fees = FeeItemSerializer(many=True, read_only=True)
    windows = WindowSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "department", "department_name", "power", "power_name", "category", "conditions",
            "result_form", "statutory_days", "promised_days", "warn_days_before", "warn_ratio", "warning_rule",
            "is_online", "is_active", "fee_total", "fees", "materials", "windows",
        ]  # fmt: skip


# --- cases: staff views ---------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    """One row of a case list (staff)."""

    status_display = ChoiceLabelField(CaseStatus, source="status")
    title = serializers.CharField(read_only=True)
    item = serializers.CharField(source="item.code", read_only=True, default=None)
    power = serializers.CharField(source="power.code", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    parent = serializers.CharField(source="parent.code", read_only=True, default=None)
    current_step = serializers.CharField(source="current_step.name", read_only=True, default=None)
    current_post = serializers.CharField(source="current_post.name", read_only=True, default=None)
    is_suspended = serializers.BooleanField(read_only=True, default=False)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "code", "kind", "title", "item", "power", "department", "department_name", "parent",
            "applicant_name", "applicant_type", "channel", "green_channel", "status", "status_display",
            "submitted_at", "accepted_on", "due_on", "promised_due_on", "due_provisional", "suspended_days",
            "is_suspended", "overdue", "current_step", "current_post", "decision", "completed_at", "on_time",
        ]  # fmt: skip

    @extend_schema_field(serializers.BooleanField)
    def get_overdue(self, case) -> bool:
        return case.is_overdue(self.context.get("today"))


#: CaseListRows' compiled statement per database connection (the SQL does not depend on the data).
_STATEMENTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: PostgreSQL: the driver connections on which the statement is prepared (a new connection prepares it).
_PREPARED: "weakref.WeakSet" = weakref.WeakSet()
PREPARED_NAME = "approvals_case_list_rows"


class CaseListRows:
    """The rows of ``CaseSerializer`` for a page of case ids, without model objects or DRF fields per row.

    The case list is the API's busiest read (issue 13): one ``values()`` query of only the listed
    columns with the related names joined, the choice labels of the active language looked up once,
    plain dicts out. The body is exactly ``CaseSerializer(many=True)``'s (the schema documents that
    serializer; tests/approvals/test_api.py compares both on every field).
    """

    COLUMNS = (
        "id", "code", "kind", "item_id", "item__code", "item__name", "power__code", "power__name",
        "department__code", "department__name", "parent__code", "applicant_name", "applicant_type", "channel",
        "green_channel", "status", "submitted_at", "accepted_on", "due_on", "promised_due_on",
        "due_provisional", "suspended_days", "current_step__name", "current_post__name", "decision",
        "completed_at", "on_time",
    )  # fmt: skip

    def __init__(self, today):
        self.today = today
        self.labels = choice_labels(CaseStatus)
        self.zone = timezone.get_current_timezone()  # DRF's DateTimeField: ISO 8601 in the current zone
        self.date = serializers.DateField().to_representation

    def datetime(self, value) -> str | None:
        """As ``serializers.DateTimeField().to_representation`` (ISO 8601, the current zone, UTC as Z),
        without looking the zone up again for every value."""
        if not value:
            return None
        text = value.astimezone(self.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def query(self):
        """The listed columns with the related names joined (LEFT JOINs), the open-suspension flag."""
        open_suspension = Suspension.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
        return Case.objects.values(*self.COLUMNS).annotate(is_suspended=Exists(open_suspension)).order_by()

    def statement(self, connection) -> tuple[str, tuple, list, object]:
        """``query()`` compiled once per connection: (SQL, its parameters, the column names, the
        compiler that converts its rows). Building and compiling six joins was a third of a page."""
        statement = _STATEMENTS.get(connection)
        if statement is None:
            query = self.query().query
            compiler = query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            assert " WHERE " not in sql.split(" FROM ")[-1] and "ORDER BY" not in sql, sql  # ids appended
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            statement = _STATEMENTS[connection] = (sql, tuple(params), names, compiler)
        return statement

    def rows(self, ids) -> list[dict]:
        """The rows of ``ids``, in that order (one query)."""
        if not ids:
            return []
        sql, params, names, compiler = self.statement(connections[Case.objects.db])
        connection = compiler.connection
        quote = connection.ops.quote_name
        pk = f"{quote(Case._meta.db_table)}.{quote(Case._meta.pk.column)}"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Planning the six joins took 2 ms, executing them 0.3: a statement prepared once per
                # connection (connections persist: CONN_MAX_AGE) is planned once. Its own constants
                # (the EXISTS's "SELECT 1") are inlined by the driver; the page's ids are its one parameter.
                raw = connection.connection
                if raw not in _PREPARED:
                    template = cursor.mogrify(sql, params) if params else sql
                    template = template.decode() if isinstance(template, bytes) else template
                    cursor.execute(f"PREPARE {PREPARED_NAME} AS {template} WHERE {pk} = ANY($1::bigint[])")
                    _PREPARED.add(raw)
                try:
                    cursor.execute(f"EXECUTE {PREPARED_NAME}(%s)", [list(ids)])
                except DatabaseError:
                    # The statement is gone (DISCARD ALL, a pooler) or stale (a migration changed a
                    # listed column's type: "cached plan must not change result type"). This
                    # request fails; the connection is closed when it ends, so the next request
                    # prepares the statement afresh on a new connection.
                    _PREPARED.discard(raw)
                    connection.close_at = 0
                    raise
            else:
                cursor.execute(f"{sql} WHERE {pk} IN ({', '.join(['%s'] * len(ids))})", (*params, *ids))
            fetched = cursor.fetchall()
        rows = (dict(zip(names, values, strict=True)) for values in compiler.results_iter([fetched]))
        by_id = {row["id"]: row for row in rows}
        return [self.row(by_id[pk]) for pk in ids if pk in by_id]

    def row(self, r: dict) -> dict:
        date, dt, status = self.date, self.datetime, r["status"]
        suspended = bool(r["is_suspended"])
        state = SimpleNamespace(status=status, due_on=r["due_on"], is_suspended=suspended)
        return {
            "code": r["code"],
            "kind": r["kind"],
            "title": r["item__name"] if r["item_id"] else r["power__name"],
            "item": r["item__code"],
            "power": r["power__code"],
            "department": r["department__code"],
            "department_name": r["department__name"],
            "parent": r["parent__code"],
            "applicant_name": r["applicant_name"],
            "applicant_type": r["applicant_type"],
            "channel": r["channel"],
            "green_channel": r["green_channel"],
            "status": status,
            "status_display": self.labels.get(status, status),
            "submitted_at": dt(r["submitted_at"]),
            "accepted_on": date(r["accepted_on"]),
            "due_on": date(r["due_on"]),
            "promised_due_on": date(r["promised_due_on"]),
            "due_provisional": r["due_provisional"],
            "suspended_days": r["suspended_days"],
            "is_suspended": suspended,
            # near=today: only OVERDUE matters here, so the near date (working days) is never worked out.
            "overdue": due.due_state(state, today=self.today, near=self.today) == due.OVERDUE,
            "current_step": r["current_step__name"],
            "current_post": r["current_post__name"],
            "decision": r["decision"],
            "completed_at": dt(r["completed_at"]),
            "on_time": r["on_time"],
        }


class CaseStepSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post.name", read_only=True, default=None)
    handled_by = serializers.SerializerMethodField()
    handled_post = serializers.CharField(source="handled_post.name", read_only=True, default=None)

    class Meta:
        model = CaseStep
        fields = [
            "order", "name", "post", "started_at", "due_on", "finished_at", "handled_by", "handled_post",
            "acted_as_backup", "opinion",
        ]  # fmt: skip

    def get_handled_by(self, step) -> str | None:
        user = step.handled_by
        if user is None:
            return None
        profile = getattr(user, "staff_profile", None)
        return profile.display_name if profile else user.get_username()


class CaseEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    post = serializers.CharField(source="post.name", read_only=True, default=None)

    class Meta:
        model = CaseEvent
        fields = ["at", "kind", "kind_display", "actor_label", "post", "note"]


class SuspensionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Suspension
        fields = [
            "id", "kind", "kind_display", "reason", "started_on", "max_days", "ends_by", "ended_on", "working_days",
        ]  # fmt: skip


class CaseMaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMaterial
        fields = ["id", "material", "name", "file", "on_paper", "uploaded_at"]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectionNotice
        fields = ["missing", "note", "issued_at", "resolved_at"]


class SubcaseSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    status_display = ChoiceLabelField(CaseStatus, source="status")

    class Meta:
        model = Case
        fields = ["code", "department", "status", "status_display", "due_on", "decision", "decision_reason"]


class PublicSubcaseSerializer(SubcaseSerializer):
    """A sub-case on the tracking page: which department, in what state; not its internal opinion."""

    class Meta(SubcaseSerializer.Meta):
        fields = ["code", "department", "status", "status_display", "due_on"]


class FeePaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeePayment
        fields = ["amount", "expected_amount", "receipt_no", "justification", "recorded_at"]


class PenaltySerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.title", read_only=True)

    class Meta:
        model = PenaltyDecision
        fields = [
            "standard", "fact", "band_order", "band_severity", "band_amount_min", "band_amount_max", "amount",
            "outside_band", "reasons", "collective_discussion_record", "decided_at",
        ]  # fmt: skip


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["score", "comment", "rated_at"]


class CaseDetailSerializer(CaseSerializer):
    """A case with its whole trail (留痕), for staff. The ID number is masked."""

    applicant_id_number = serializers.CharField(source="masked_id_number", read_only=True)
    steps = CaseStepSerializer(many=True, read_only=True)
    events = CaseEventSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)
    materials = CaseMaterialSerializer(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)
    subcases = SubcaseSerializer(many=True, read_only=True)
    fee_payment = serializers.SerializerMethodField()
    penalty = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "applicant_id_number", "applicant_phone", "description",
            "green_channel_reason", "statutory_days", "promised_days", "decision_reason", "legal_basis",
            "decided_at", "closed_at", "promised_on_time", "steps", "events", "suspensions", "materials",
            "corrections", "subcases", "fee_payment", "penalty", "rating", "allowed_actions",
        ]  # fmt: skip

    def _one(self, case, name, serializer):
        obj = getattr(case, name, None)  # a missing reverse one-to-one is an AttributeError
        return serializer(obj).data if obj is not None else None

    @extend_schema_field(FeePaymentSerializer(allow_null=True))
    def get_fee_payment(self, case):
        return self._one(case, "fee_payment", FeePaymentSerializer)

    @extend_schema_field(PenaltySerializer(allow_null=True))
    def get_penalty(self, case):
        return self._one(case, "penalty", PenaltySerializer)

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, case):
        return self._one(case, "rating", RatingSerializer)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case):
        from ..services import allowed_actions

        request = self.context.get("request")
        return sorted(allowed_actions(request.user, case)) if request is not None else []


# --- public tracking ---------------------------------------------------------------------------


class PublicStepSerializer(serializers.ModelSerializer):
    """A step as the applicant sees it: which post handles it, not who."""

    post = serializers.CharField(source="post.name", read_only=True, default=None)

    class Meta:
        model = CaseStep
        fields = ["order", "name", "post", "started_at", "due_on", "finished_at"]


class TrackingSerializer(serializers.ModelSerializer):
    """What a citizen sees with the code and query secret: steps, limits, suspensions, result."""

    title = serializers.CharField(read_only=True)
    applicant = serializers.CharField(source="masked_name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    status_display = ChoiceLabelField(CaseStatus, source="status")
    current_step = serializers.CharField(source="current_step.name", read_only=True, default=None)
    current_post = serializers.CharField(source="current_post.name", read_only=True, default=None)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    steps = PublicStepSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)
    subcases = PublicSubcaseSerializer(many=True, read_only=True)
    can_rate = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "code", "title", "applicant", "department", "channel", "green_channel", "status", "status_display",
            "submitted_at", "accepted_on", "statutory_days", "promised_days", "due_on", "promised_due_on",
            "due_provisional", "suspended_days", "current_step", "current_post", "steps", "suspensions",
            "corrections", "subcases", "decision", "decision_display", "decision_reason", "legal_basis",
            "decided_at", "completed_at", "can_rate",
        ]  # fmt: skip

    @extend_schema_field(serializers.BooleanField)
    def get_can_rate(self, case) -> bool:
        return case.status == CaseStatus.COMPLETED and not Rating.objects.filter(case=case).exists()


# --- inputs of the verbs -------------------------------------------------------------------------


class ApplySerializer(FieldsBuiltOnce, serializers.Serializer):
    """Apply for a service item. Files go as multipart fields ``material_<id>`` (one or more each)."""

    # The item's code: the view reads the item with what the verb needs (services.item_to_apply_for).
    item = serializers.CharField(max_length=40, help_text="服务事项编码")
    applicant_name = serializers.CharField(max_length=100)
    applicant_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    applicant_phone = serializers.RegexField(
        r"^[0-9+\- ]{0,30}$", max_length=30, required=False, allow_blank=True
    )
    applicant_type = serializers.ChoiceField(choices=ApplicantType.choices, default=ApplicantType.PERSON)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    paper_materials = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class SubmittedSerializer(serializers.Serializer):
    code = serializers.CharField()
    query_secret = serializers.CharField(help_text="查询密码，只在提交时返回一次，请妥善保存。")
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    missing_materials = serializers.ListField(child=serializers.CharField())


class SecretSerializer(serializers.Serializer):
    query_secret = serializers.CharField(help_text="新的查询密码，只返回这一次。")


class TrackSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    secret = serializers.CharField(max_length=32)


class CorrectSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=32, required=False, allow_blank=True)
    paper_materials = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class RequestCorrectionSerializer(serializers.Serializer):
    missing = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AdvanceSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    step = serializers.IntegerField(
        required=False, help_text="当前环节（流程环节 id），防止重复提交或跳过环节"
    )


class SuspendSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OpenParallelSerializer(serializers.Serializer):
    departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=60, required=False)


class CompleteSubcaseSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=2000)
    agree = serializers.BooleanField()


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DecidePenaltySerializer(serializers.Serializer):
    standard = serializers.IntegerField(help_text="裁量基准 id")
    fact = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    reasons = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    collective_discussion_record = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


class RecordFeeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    receipt_no = serializers.CharField(max_length=40)
    justification = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    window = serializers.SlugRelatedField(
        slug_field="number", queryset=Window.objects.filter(is_active=True), required=False, allow_null=True
    )


class RateSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=32)
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class EnforcementSerializer(serializers.Serializer):
    power = serializers.CharField(max_length=30, help_text="权力事项统一编码（使用其已公布版本）")
    party_name = serializers.CharField(max_length=100)
    party_type = serializers.ChoiceField(choices=ApplicantType.choices, default=ApplicantType.ORGANISATION)
    party_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    facts = serializers.CharField(max_length=4000)
