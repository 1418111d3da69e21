"""Serializers of the complaint API. The reporter's identity is never a field of these: it is read
only through the audited ``identity`` action, by intake and supervisory staff."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import FieldsBuiltOnce
from portal.models import Department

from ..choices import STAFF_CHANNELS, Channel, Satisfaction
from ..models import Category, Complaint, ComplaintEvent
from ..services import MAX_TEXT


class ComplaintCategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "limit_days", "accept_days", "corruption_clue", "is_active"]


class DepartmentCode(serializers.SlugRelatedField):
    """An active department by its code. The queryset is the class's, not a keyword argument: DRF
    deep-copies a field's arguments for every serializer it builds (a queryset's copy costs more
    than validating the field)."""

    queryset = Department.objects.filter(is_active=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class CategoryCode(serializers.SlugRelatedField):
    """An active complaint category by its code (the queryset the class's, as ``DepartmentCode``)."""

    queryset = Category.objects.filter(is_active=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


class ComplaintSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handling_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reporter = serializers.CharField(source="masked_reporter", read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Complaint
        fields = ["code", "channel", "state", "title", "category", "department", "handling_department", "reporter",
                  "case_code", "official_name", "received_at", "forwarded_at", "accept_due_on", "due_on",
                  "accepted_at", "replied_at", "closed_at", "closed_on_time", "pressed_count", "returned_count",
                  "reopen_count", "satisfaction", "merged_into"]  # fmt: skip


class ComplaintEventSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["at", "verb", "actor_label", "department", "from_state", "to_state", "note"]


class ComplaintDetailSerializer(ComplaintSerializer):
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = ComplaintSerializer.Meta.fields + ["matter", "reply", "events"]


class ComplaintSubmitSerializer(FieldsBuiltOnce, serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WEB)
    title = serializers.CharField(max_length=120)
    matter = serializers.CharField(max_length=MAX_TEXT)
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reporter_contact = serializers.RegexField(r"^[0-9A-Za-z@._+\- ]{5,100}$", max_length=100, required=False,
                                              allow_blank=True, default="")  # fmt: skip
    department = DepartmentCode(required=False, allow_null=True, default=None)
    case_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    official_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    category = CategoryCode(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["channel"] not in STAFF_CHANNELS:
            attrs["category"] = None  # the supervisory organ classifies web complaints
        return attrs


class ComplaintSubmittedSerializer(serializers.Serializer):
    code = serializers.CharField()
    query_secret = serializers.CharField(help_text="查询密码，只在提交时返回一次，请妥善保存。")
    state = serializers.CharField()
    received_at = serializers.DateTimeField()


class ComplaintTrackSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    secret = serializers.CharField(max_length=32)


class ComplaintPublicEventSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default="", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["at", "verb", "department"]


class ComplaintTrackingSerializer(serializers.ModelSerializer):
    handling_department = serializers.CharField(source="handling_department.name", default="", read_only=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["code", "state", "title", "channel", "received_at", "handling_department", "due_on", "reply",
                  "replied_at", "closed_at", "satisfaction", "events"]  # fmt: skip

    @extend_schema_field(ComplaintPublicEventSerializer(many=True))
    def get_events(self, obj):
        from ..choices import PUBLIC_VERBS

        rows = obj.events.filter(verb__in=PUBLIC_VERBS).select_related("department").order_by("at", "id")
        return ComplaintPublicEventSerializer(rows, many=True).data


class ComplaintRateSerializer(ComplaintTrackSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ComplaintReopenSerializer(ComplaintTrackSerializer):
    reason = serializers.CharField(max_length=1000)


class ClassifyInput(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )


class ForwardInput(serializers.Serializer):
    department = DepartmentCode()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MergeInput(NoteInput):
    into = serializers.SlugRelatedField(slug_field="code", queryset=Complaint.objects.all())


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)


class PressInput(serializers.Serializer):
    requirement = serializers.CharField(max_length=2000)
    deadline_days = serializers.IntegerField(min_value=1, max_value=60, default=3)


class ComplaintIdentitySerializer(serializers.Serializer):
    reporter_name = serializers.CharField()
    reporter_contact = serializers.CharField()


class ComplaintIndicatorQuery(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"] or (attrs["end"] - attrs["start"]).days > 3660:
            raise serializers.ValidationError("结束日期应晚于开始日期，且期间不超过十年。")
        return attrs
