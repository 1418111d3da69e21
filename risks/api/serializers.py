"""Serializers of the risks API. Writes are validated here for shape and bounds; the verbs decide."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from portal.masking import mask_name
from portal.models import Department, Post
from powers.models import FlowStep, Power

from ..choices import MAX_DEADLINE_DAYS, SCORE_MAX, SCORE_MIN, Grade, InformationSource, WarningLevel
from ..models import (
    GradingMatrix,
    RiskInformation,
    RiskPoint,
    RiskPointVersion,
    SupervisionOrder,
    WarningNotice,
)


def score(**kwargs):
    return serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX, **kwargs)


class RiskPointSerializer(serializers.ModelSerializer):
    """A risk point of the catalogue. Outside the office and its department the responsible name is masked."""

    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    power = serializers.SlugRelatedField(slug_field="code", read_only=True)
    power_name = serializers.CharField(source="power.name", read_only=True)
    step = serializers.IntegerField(source="step_id", read_only=True, allow_null=True)
    step_name = serializers.CharField(source="step.name", read_only=True, default=None)
    post = serializers.IntegerField(source="post_id", read_only=True)
    post_name = serializers.CharField(source="post.name", read_only=True)
    colour = serializers.CharField(read_only=True)
    responsible_name = serializers.SerializerMethodField()

    class Meta:
        model = RiskPoint
        fields = [
            "id", "code", "version", "status", "department", "power", "power_name", "step", "step_name", "post",
            "post_name", "title", "risk_type", "source", "holder", "description", "measures", "responsible_name",
            "commitment", "separation_rules", "likelihood", "harm", "frequency", "discretion", "score", "grade",
            "colour", "grade_reason", "score_note", "review_note", "confirmed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_responsible_name(self, point) -> str:
        from ..permissions import is_office, is_staff_of

        user = self.context["request"].user
        if is_office(user) or is_staff_of(user, point.department):
            return point.responsible_name
        return mask_name(point.responsible_name)


class RiskPointWriteSerializer(serializers.Serializer):
    power = serializers.SlugRelatedField(slug_field="code", queryset=Power.objects.filter(is_current=True))
    step = serializers.PrimaryKeyRelatedField(
        queryset=FlowStep.objects.all(), required=False, allow_null=True
    )
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    title = serializers.CharField(max_length=120)
    risk_type = serializers.ChoiceField(choices=RiskPoint._meta.get_field("risk_type").choices)
    source = serializers.ChoiceField(choices=RiskPoint._meta.get_field("source").choices)
    holder = serializers.ChoiceField(choices=RiskPoint._meta.get_field("holder").choices, default="staff")
    description = serializers.CharField(max_length=5000)
    measures = serializers.CharField(max_length=5000)
    responsible_name = serializers.CharField(max_length=40)
    commitment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    separation_rules = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    likelihood = score()
    harm = score()
    frequency = score()
    discretion = score()


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskPointVersion
        fields = ["version", "status", "note", "submitted_at", "decided_at", "content"]


class RiskReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RiskNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AdjustScoresSerializer(serializers.Serializer):
    likelihood = score(required=False)
    harm = score(required=False)
    frequency = score(required=False)
    discretion = score(required=False)
    reason = serializers.CharField(max_length=2000)


class MatrixSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradingMatrix
        fields = [
            "version", "weight_likelihood", "weight_harm", "weight_frequency", "weight_discretion", "a_threshold",
            "b_threshold", "overrides", "reason", "is_current", "created_at",
        ]  # fmt: skip
        read_only_fields = ["version", "is_current", "created_at"]


class InformationSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    source = serializers.ChoiceField(choices=[c for c in InformationSource.choices if c[0] != "alert"])

    class Meta:
        model = RiskInformation
        fields = [
            "id", "number", "source", "source_ref", "title", "content", "department", "person", "grade",
            "assessment", "status", "recorded_at", "assessed_at",
        ]  # fmt: skip
        read_only_fields = [
            "id",
            "number",
            "source_ref",
            "grade",
            "assessment",
            "status",
            "recorded_at",
            "assessed_at",
        ]
        extra_kwargs = {
            "person": {"queryset": get_user_model().objects.all(), "required": False, "allow_null": True}
        }


class FromAlertSerializer(serializers.Serializer):
    alert = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class AssessSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    assessment = serializers.CharField(max_length=5000)


class IssueWarningSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=WarningLevel.choices, required=False)
    person = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    content = serializers.CharField(max_length=5000)
    requirements = serializers.CharField(max_length=5000)


class IssueOrderSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=5000)
    prevention = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    deadline_days = serializers.IntegerField(min_value=1, max_value=MAX_DEADLINE_DAYS)
    warning = serializers.PrimaryKeyRelatedField(
        queryset=WarningNotice.objects.all(), required=False, allow_null=True
    )


class WarningSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = WarningNotice
        fields = [
            "id", "number", "information", "level", "department", "person", "content", "requirements", "status",
            "issued_at", "acknowledged_at",
        ]  # fmt: skip
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = SupervisionOrder
        fields = [
            "id", "number", "information", "warning", "department", "person", "plan", "prevention", "deadline_days",
            "deadline_on", "status", "is_overdue", "rectification", "answered_at", "review_note", "closed_at",
            "closed_on_time", "issued_at",
        ]  # fmt: skip
        read_only_fields = fields


class RectificationSerializer(serializers.Serializer):
    rectification = serializers.CharField(max_length=5000)


class ReturnOrderSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    deadline_days = serializers.IntegerField(min_value=1, max_value=MAX_DEADLINE_DAYS)
