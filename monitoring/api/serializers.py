from django.contrib.contenttypes.models import ContentType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.models import Alert, Timer


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
