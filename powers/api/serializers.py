"""Serializers of the power-list API. Reads nest what the "five publics" show; writes feed the service verbs."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from portal.api.fields import ChoiceLabelField, choice_labels
from portal.choices import Level
from portal.models import Department, Post
from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    INSPECTOR,
    LEGAL_REVIEWER,
    department_of,
    has_role,
)  # fmt: skip
from powers.choices import CODE_REGEX, Category, PowerStatus
from powers.models import (
    PUBLIC_STATUSES,
    DiscretionBand,
    DiscretionStandard,
    Flowchart,
    FlowStep,
    LegalArticle,
    LegalDocument,
    Power,
)

# --- legal basis ---------------------------------------------------------------------------


class LegalArticleSerializer(serializers.ModelSerializer):
    document = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)

    class Meta:
        model = LegalArticle
        fields = ["id", "document", "document_title", "number", "label", "text"]


class LegalDocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = LegalDocument
        fields = [
            "code",
            "title",
            "kind",
            "kind_display",
            "issuer",
            "issued_on",
            "effective_on",
            "is_current",
        ]


class ArticleInDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalArticle
        fields = ["id", "number", "label", "text"]


class LegalDocumentDetailSerializer(LegalDocumentSerializer):
    articles = ArticleInDocumentSerializer(many=True, read_only=True)

    class Meta(LegalDocumentSerializer.Meta):
        fields = [*LegalDocumentSerializer.Meta.fields, "articles"]


# --- flowcharts ------------------------------------------------------------------------------


class FlowStepSerializer(serializers.ModelSerializer):
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all(), allow_null=True, required=False)
    post_name = serializers.CharField(source="post.name", read_only=True, default=None, allow_null=True)
    backup_post_name = serializers.CharField(
        source="post.backup.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = FlowStep
        fields = [
            "order", "name", "kind", "post", "post_name", "backup_post_name", "rules", "duties",
            "supervision_point", "complaint_channel", "time_limit_days",
        ]  # fmt: skip
        read_only_fields = ["order"]


class FlowchartSerializer(serializers.ModelSerializer):
    power = serializers.CharField(source="power.code", read_only=True)
    power_name = serializers.CharField(source="power.name", read_only=True)
    version = serializers.IntegerField(source="power.version", read_only=True)
    total_days = serializers.IntegerField(read_only=True)
    steps = FlowStepSerializer(many=True)

    class Meta:
        model = Flowchart
        fields = ["power", "power_name", "version", "note", "total_days", "steps", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate_steps(self, steps):
        if not steps:
            raise serializers.ValidationError("流程图至少需要一个环节。")
        return steps


# --- discretion ------------------------------------------------------------------------------


class DiscretionBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscretionBand
        fields = ["order", "severity", "fact_min", "fact_max", "amount_min", "amount_max", "description"]
        read_only_fields = ["order"]


class DiscretionStandardSerializer(serializers.ModelSerializer):
    power = serializers.CharField(source="power.code", read_only=True)
    article = serializers.PrimaryKeyRelatedField(
        queryset=LegalArticle.objects.all(), allow_null=True, required=False
    )
    article_label = serializers.CharField(source="article", read_only=True, default=None)
    bands = DiscretionBandSerializer(many=True)

    class Meta:
        model = DiscretionStandard
        fields = [
            "id", "power", "article", "article_label", "title", "fact_label", "fact_unit", "amount_unit",
            "requires_collective_discussion", "bands",
        ]  # fmt: skip

    def validate_bands(self, bands):
        if not bands:
            raise serializers.ValidationError("裁量基准至少需要一个档次。")
        return bands


class CalculationRequestSerializer(serializers.Serializer):
    fact = serializers.CharField(max_length=30, help_text="录入的裁量情节，例如占用面积 12.5（平方米）")


class CalculationSerializer(serializers.Serializer):
    standard = serializers.IntegerField()
    fact = serializers.CharField(help_text="录入的情节（规范化后的数字）")
    fact_label = serializers.CharField()
    fact_unit = serializers.CharField()
    amount_unit = serializers.CharField()
    band = DiscretionBandSerializer()
    amount_range = serializers.ListField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2), min_length=2, max_length=2
    )


# --- powers --------------------------------------------------------------------------------


class DepartmentBriefSerializer(serializers.ModelSerializer):
    level_display = ChoiceLabelField(Level, source="level")

    class Meta:
        model = Department
        fields = ["code", "name", "level", "level_display"]


class PowerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Power
        fields = ["code", "version", "name", "status"]


class PowerVersionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    change_kind_display = serializers.CharField(source="get_change_kind_display", read_only=True)

    class Meta:
        model = Power
        fields = [
            "version", "status", "status_display", "change_kind", "change_kind_display", "change_reason",
            "is_current", "published_at", "ended_at",
        ]  # fmt: skip


class PowerSerializer(serializers.ModelSerializer):
    """A row of the power list."""

    department = DepartmentBriefSerializer(read_only=True)
    # Labels from a per-language dict and the URL from one reversed template: per-row lazy
    # translations and reverse() were most of a 50-row list's serialisation.
    category_display = ChoiceLabelField(Category, source="category")
    status_display = ChoiceLabelField(PowerStatus, source="status")
    level = serializers.CharField(source="department.level", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Power
        fields = [
            "code", "version", "name", "category", "category_display", "department", "level", "status",
            "status_display", "is_current", "change_kind", "subject", "time_limit_days", "promised_days",
            "time_limit_unit", "published_at", "url",
        ]  # fmt: skip

    def get_url(self, power) -> str:
        template = self.context.get("_power_url")
        if template is None:
            request = self.context.get("request")
            path = reverse("power-detail", kwargs={"code": "__CODE__"})
            template = request.build_absolute_uri(path) if request is not None else path
            self.context["_power_url"] = template
        return template.replace("__CODE__", power.code)


# The columns a row of the list shows, read with ``values()`` (see ``power_list_rows``).
POWER_LIST_COLUMNS = (
    "code", "version", "name", "category", "status", "is_current", "change_kind", "subject",
    "time_limit_days", "promised_days", "time_limit_unit", "published_at",
    "department__code", "department__name", "department__level",
)  # fmt: skip


def power_list_rows(rows, request=None) -> list[dict]:
    """``PowerSerializer``'s rows built from ``values(*POWER_LIST_COLUMNS)`` dicts, without model objects.

    Labels come from the per-language dicts looked up once per call, the URL from one reversed
    template, the timestamp through DRF's own field: the same JSON as the serializer (a test holds
    them equal) at a fraction of its cost on a 50-row page.
    """
    categories, statuses, levels = choice_labels(Category), choice_labels(PowerStatus), choice_labels(Level)
    path = reverse("power-detail", kwargs={"code": "__CODE__"})
    url = request.build_absolute_uri(path) if request is not None else path
    timestamp = serializers.DateTimeField().to_representation
    out = []
    for r in rows:
        level = r["department__level"]
        published_at = r["published_at"]
        out.append(
            {
                "code": r["code"],
                "version": r["version"],
                "name": r["name"],
                "category": r["category"],
                "category_display": categories.get(r["category"], r["category"]),
                "department": {
                    "code": r["department__code"],
                    "name": r["department__name"],
                    "level": level,
                    "level_display": levels.get(level, level),
                },
                "level": level,
                "status": r["status"],
                "status_display": statuses.get(r["status"], r["status"]),
                "is_current": r["is_current"],
                "change_kind": r["change_kind"],
                "subject": r["subject"],
                "time_limit_days": r["time_limit_days"],
                "promised_days": r["promised_days"],
                "time_limit_unit": r["time_limit_unit"],
                "published_at": timestamp(published_at) if published_at is not None else None,
                "url": url.replace("__CODE__", r["code"]),
            }
        )
    return out


class PowerDetailSerializer(PowerSerializer):
    """One version with its five publics: basis, object, procedure, time limit, result — and its history."""

    legal_basis = LegalArticleSerializer(source="legal_articles", many=True, read_only=True)
    flowchart = serializers.SerializerMethodField()
    standards = DiscretionStandardSerializer(many=True, read_only=True)
    versions = serializers.SerializerMethodField()
    # Public serializers show only what the public page shows: a draft successor/predecessor is
    # announced only to those who may see it, the reviewer's note only to the staff concerned.
    predecessor = serializers.SerializerMethodField()
    successor = serializers.SerializerMethodField()
    review_note = serializers.SerializerMethodField()

    class Meta(PowerSerializer.Meta):
        fields = [
            *PowerSerializer.Meta.fields, "description", "result_form", "fee_basis", "complaint_channel",
            "change_reason", "review_note", "ended_at", "legal_basis", "flowchart", "standards", "versions",
            "predecessor", "successor",
        ]  # fmt: skip

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _related(self, other):
        if other is None:
            return None
        if (
            other.status not in PUBLIC_STATUSES
            and not Power.objects.visible_to(self._user()).filter(pk=other.pk).exists()
        ):
            return None
        return PowerRefSerializer(other).data

    @extend_schema_field(PowerRefSerializer(allow_null=True))
    def get_predecessor(self, power):
        return self._related(power.predecessor)

    @extend_schema_field(PowerRefSerializer(allow_null=True))
    def get_successor(self, power):
        return self._related(power.successor)

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="审核意见：仅本单位人员、审核和监察人员可见")
    )
    def get_review_note(self, power):
        user = self._user()
        if has_role(user, ADMINISTRATOR, LEGAL_REVIEWER, INSPECTOR) or (
            has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) == power.department
        ):
            return power.review_note
        return None

    @extend_schema_field(FlowchartSerializer(allow_null=True))
    def get_flowchart(self, power):
        chart = getattr(power, "flowchart", None)
        return FlowchartSerializer(chart, context=self.context).data if chart else None

    @extend_schema_field(PowerVersionSerializer(many=True))
    def get_versions(self, power):
        versions = self.context.get("versions")
        if versions is None:
            versions = Power.objects.filter(code=power.code).order_by("version")
        return PowerVersionSerializer(versions, many=True).data


class PowerWriteSerializer(serializers.ModelSerializer):
    """Fields a department declares (申报) or edits on its draft. Department only on declaration."""

    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False
    )
    legal_articles = serializers.PrimaryKeyRelatedField(
        queryset=LegalArticle.objects.all(), many=True, required=False
    )

    class Meta:
        model = Power
        fields = [
            "department", "name", "category", "subject", "description", "time_limit_days", "promised_days",
            "time_limit_unit", "result_form", "fee_basis", "complaint_channel", "legal_articles",
        ]  # fmt: skip
        # Model validators (e.g. the unique constraints) run inside the service's full_clean.
        validators = []

    def validate(self, attrs):
        creating = self.instance is None
        if creating and "department" not in attrs:
            raise serializers.ValidationError({"department": "申报时必须指定实施主体（单位编码）。"})
        if not creating and "department" in attrs:
            raise serializers.ValidationError({"department": "草稿不能改变实施主体；请在公布后提出下放。"})
        return attrs


class PowerReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="理由（必填）")


class PowerNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="审核意见")


class DelegateSerializer(PowerReasonSerializer):
    to_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), help_text="承接单位编码（须为更低一级）"
    )


class MergeSerializer(PowerReasonSerializer):
    codes = serializers.ListField(
        child=serializers.RegexField(CODE_REGEX, error_messages={"invalid": "统一编码格式不正确。"}),
        min_length=2,
        max_length=50,
        help_text="要合并的已公布权力事项的统一编码",
    )
    name = serializers.CharField(max_length=200, help_text="合并后的权力名称")
