from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.models import AccountabilityRecord, Alert, SupervisionNotice, Timer
from portal.models import Department


@extend_schema_field(OpenApiTypes.STR)
class TargetTypeField(serializers.Field):
    """The target's content type as "app_label.model" (content types are cached: no query per row)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "target_type_id")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        content_type = ContentType.objects.get_for_id(value)
        return f"{content_type.app_label}.{content_type.model}"


class AlertSerializer(serializers.ModelSerializer):
    target_type = TargetTypeField()
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    due_at = serializers.DateTimeField(
        source="timer.due_at",
        read_only=True,
        allow_null=True,
        help_text="计时器当前的办理期限（非计时类预警为空）",
    )
    provisional = serializers.BooleanField(
        source="timer.provisional", read_only=True, allow_null=True, help_text="期限按周末规则暂算（暂定）"
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "state",
            "state_display",
            "title",
            "detail",
            "target_type",
            "target_id",
            "target_label",
            "department",
            "timer",
            "due_at",
            "provisional",
            "rule",
            "occurrence",
            "raised_at",
            "closed_at",
        ]
        read_only_fields = fields


class TimerSerializer(serializers.ModelSerializer):
    target_type = TargetTypeField()
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state = serializers.CharField(read_only=True)
    provisional = serializers.BooleanField(
        read_only=True, help_text="期限含尚未录入法定节假日安排的年度，按周末规则暂算"
    )

    class Meta:
        model = Timer
        fields = [
            "id",
            "target_type",
            "target_id",
            "purpose",
            "label",
            "department",
            "post",
            "person",
            "state",
            "started_at",
            "warn_at",
            "due_at",
            "provisional",
            "paused_at",
            "paused_seconds",
            "stopped_at",
            "reminded_at",
            "alarmed_at",
            "next_fire_at",
        ]
        read_only_fields = fields


# --- alert lifecycle, supervision notices, accountability (input and output) ------------------------


class AlertNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明（可空）")


class AlertDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="排除理由（必填）")


class _DeadlineInput(serializers.Serializer):
    deadline_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="答复期限（工作日）"
    )
    deadline_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="或指定答复日期（与工作日天数二选一）"
    )


class NoticeIssueSerializer(_DeadlineInput):
    alert = serializers.PrimaryKeyRelatedField(
        queryset=Alert.objects.all(), required=False, allow_null=True, default=None, help_text="所涉预警编号"
    )
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), help_text="督办对象单位编码"
    )
    title = serializers.CharField(max_length=200)
    requirement = serializers.CharField()


class AlertNotifySerializer(NoticeIssueSerializer):
    """Issue a notice on this alert: the alert comes from the URL, the department defaults to its own."""

    alert = None
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, help_text="默认为预警的责任单位"
    )


class NoticeAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="整改答复")


class NoticeCloseSerializer(serializers.Serializer):
    review_note = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeReturnSerializer(_DeadlineInput):
    review_note = serializers.CharField(help_text="审核意见（必填）")


class NoticeWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤回理由（必填）")


class SupervisionNoticeSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, help_text="逾期未答复")
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", read_only=True, allow_null=True)

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "number",
            "alert",
            "department",
            "title",
            "requirement",
            "deadline_on",
            "status",
            "status_display",
            "overdue",
            "issued_by",
            "issued_at",
            "answer",
            "answered_by",
            "answered_at",
            "review_note",
            "closed_at",
        ]
        read_only_fields = fields


class AccountabilitySerializer(serializers.ModelSerializer):
    """Read: the record. Write (create only): the fields of ``record_accountability``."""

    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    alert = serializers.PrimaryKeyRelatedField(queryset=Alert.objects.all(), required=False, allow_null=True)
    notice = serializers.PrimaryKeyRelatedField(
        queryset=SupervisionNotice.objects.all(), required=False, allow_null=True
    )
    person = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="被问责人的系统用户名（可空）",
    )
    person_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    measure_display = serializers.CharField(source="get_measure_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = AccountabilityRecord
        fields = [
            "id",
            "department",
            "person",
            "person_name",
            "person_title",
            "measure",
            "measure_display",
            "facts",
            "decided_on",
            "alert",
            "notice",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_at"]
