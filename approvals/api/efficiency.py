"""/api/v1/efficiency/: the efficiency analysis (效能分析) as JSON rows, per department or per service item.

Same figures and filter as the /efficiency/ page (``approvals.efficiency``). Readers: inspectors,
the appraisal office, administrators and integrators see every department; a department head sees
their own; everyone else gets 403.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.choices import Level

from .. import efficiency
from ..efficiency import EfficiencyFilter, Figures

GROUPS = ("department", "item")


class FiguresSerializer(serializers.Serializer):
    completed = serializers.IntegerField(help_text="本期办结件数（不含会签件）")
    measured = serializers.IntegerField(help_text="已知办理用时的件数（平均值的分母）")
    used_total = serializers.IntegerField(help_text="办理用时合计（工作日，已扣除暂停计时）")
    statutory_total = serializers.IntegerField(help_text="法定时限合计（工作日）")
    promised_total = serializers.IntegerField(help_text="承诺时限合计（工作日）")
    early = serializers.IntegerField(help_text="提前办结件数（用时少于承诺时限）")
    within_promised = serializers.IntegerField(help_text="承诺时限内办结件数")
    within_statutory = serializers.IntegerField(help_text="法定时限内办结件数（按时）")
    late = serializers.IntegerField(help_text="超过法定时限办结件数")
    suspended_cases = serializers.IntegerField(help_text="有暂停计时的件数")
    suspension_days = serializers.IntegerField(help_text="暂停计时天数合计（工作日）")
    reminders = serializers.IntegerField(help_text="对这些办件发出的时限提示次数")
    alarms = serializers.IntegerField(help_text="对这些办件发出的超时报警次数")
    avg_used = serializers.FloatField(allow_null=True, help_text="平均用时（工作日）")
    avg_statutory = serializers.FloatField(allow_null=True)
    avg_promised = serializers.FloatField(allow_null=True)
    used_share_of_statutory = serializers.FloatField(allow_null=True, help_text="用时占法定时限的比例")
    early_rate = serializers.FloatField(allow_null=True)
    promised_on_time_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    late_rate = serializers.FloatField(allow_null=True)
    avg_suspended_days = serializers.FloatField(allow_null=True)
    reminders_per_100 = serializers.FloatField(allow_null=True)
    alarms_per_100 = serializers.FloatField(allow_null=True)


class EfficiencyRowSerializer(FiguresSerializer):
    department_id = serializers.IntegerField()
    department_name = serializers.CharField()
    item_id = serializers.IntegerField(allow_null=True, help_text="按事项时：服务事项编号（执法办件为空）")
    code = serializers.CharField(help_text="单位编码，或事项编码（执法办件为权力编码）")
    name = serializers.CharField()
    kind = serializers.CharField(allow_blank=True, help_text="按事项时：application 或 enforcement")


class EfficiencySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    group = serializers.ChoiceField(choices=GROUPS)
    rows = EfficiencyRowSerializer(many=True)
    total = FiguresSerializer()


class EfficiencyReaders(permissions.BasePermission):
    message = "效能分析仅向纪检监察、考评办、系统管理员、部门负责人和接口调用方开放。"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        try:
            view.scope = efficiency.scope_of(request.user, api=True)
        except DjangoPermissionDenied:
            return False
        return True


def _row(row, group: str) -> dict:
    data = row.as_dict()
    if group == "department":
        data.update(department_id=row.department_id, department_name=row.name, item_id=None, kind="")
    else:
        data.update(department_id=row.department_id, department_name=row.department_name, item_id=row.item_id)
    data.update(code=row.code, name=row.name, kind=getattr(row, "kind", ""))
    return data


class EfficiencyView(APIView):
    permission_classes = [EfficiencyReaders]

    @extend_schema(
        operation_id="efficiency_retrieve",
        summary="效能分析",
        description=(
            "本期（某年或某月）办结办件的效能：办结件数、平均用时与法定和承诺时限、提前办结率、按时和超期办结率、"
            "暂停计时天数、每百件时限提示和超时报警。按单位（group=department）或按服务事项（group=item）分行，"
            "另附合计。用时和时限以工作日计。"
        ),
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": efficiency.FIRST_YEAR, "maximum": timezone.localdate().year},
                description="年度，默认本年",
            ),
            # No month is the whole year; 0 is not a month (400), as on the page's filter.
            OpenApiParameter(
                "month", {"type": "integer", "minimum": 1, "maximum": 12}, description="月份 1-12，不填为全年"
            ),
            OpenApiParameter("level", OpenApiTypes.STR, enum=list(Level.values), description="单位层级"),
            OpenApiParameter("department", OpenApiTypes.INT, description="单位编号"),
            OpenApiParameter(
                "group", OpenApiTypes.STR, enum=list(GROUPS), description="分组，默认 department"
            ),
        ],
        responses={200: EfficiencySerializer},
    )
    def get(self, request):
        group = request.query_params.get("group") or "department"
        if group not in GROUPS:
            raise ValidationError({"group": "分组只能是 department 或 item。"})
        form = EfficiencyFilter(request.query_params, scope=self.scope)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        period, params = form.period(), form.params()
        if group == "department":
            rows = efficiency.by_department(period, **params)
        else:
            rows = efficiency.by_item(period, **params)
        total = sum(rows, Figures())
        return Response(
            {
                "year": period.year,
                "month": period.month,
                "group": group,
                "rows": [_row(row, group) for row in rows],
                "total": total.as_dict(),
            }
        )
