from rest_framework import serializers

from performance.models import (
    Category,
    Indicator,
    IndicatorScore,
    KeyTaskCriterion,
    Period,
    RaterWeight,
    Result,
    ScoreEntry,
    Series,
    SurveyResult,
)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "weight", "direction", "rule", "target", "floor", "bands", "source",
                  "source_key", "unit", "evidence", "is_key_task"]  # fmt: skip


class CategorySerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "weight", "indicators"]


class RaterWeightSerializer(serializers.ModelSerializer):
    class Meta:
        model = RaterWeight
        fields = ["kind", "weight"]


class SeriesSerializer(serializers.ModelSerializer):
    """A series with its indicator system (categories → indicators) and its rater weights."""

    year = serializers.IntegerField(source="year.year")
    categories = CategorySerializer(many=True, read_only=True)
    rater_weights = RaterWeightSerializer(many=True, read_only=True)
    departments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Series
        fields = [
            "id",
            "year",
            "code",
            "name",
            "group",
            "public_share",
            "categories",
            "rater_weights",
            "departments",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    year_status = serializers.CharField(source="year.status")

    class Meta:
        model = Period
        fields = ["id", "year", "year_status", "quarter", "starts_on", "ends_on", "voting_open"]


class CriterionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    department = serializers.CharField(source="department.code")
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = KeyTaskCriterion
        fields = ["id", "year", "department", "indicator", "title", "work_report_ref", "criterion", "status",
                  "declared_at", "reviewed_at", "review_note"]  # fmt: skip


class EntrySerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.__str__")
    department = serializers.CharField(source="department.code")
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = ScoreEntry
        fields = ["id", "period", "department", "indicator", "value", "evidence", "status", "entered_at",
                  "checked_at", "note"]  # fmt: skip


class SurveySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = SurveyResult
        fields = ["id", "year", "department", "kind", "score", "respondents", "imported_at"]


class ResultSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    series = serializers.CharField(source="series.code")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    published = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = ["id", "year", "series", "department", "department_name", "internal_score", "public_score",
                  "public_detail", "total", "rank", "rank_note", "grade", "award_eligible", "computed_at",
                  "published"]  # fmt: skip

    def get_published(self, obj) -> bool:
        return obj.year.is_published


class ScoreSerializer(serializers.ModelSerializer):
    result = serializers.IntegerField(source="result_id")
    department = serializers.CharField(source="result.department.code")
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = IndicatorScore
        fields = ["id", "result", "department", "indicator", "raw_value", "score", "weighted", "basis"]
