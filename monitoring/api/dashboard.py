"""/api/v1/dashboard/: the inspectors' dashboard figures as JSON, for big screens and other platforms."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.dashboard_views import payload
from portal.access import HasRole
from portal.roles import ADMINISTRATOR, INSPECTOR, INTEGRATOR


class DashboardView(APIView):
    permission_classes = [
        HasRole(INSPECTOR, ADMINISTRATOR, INTEGRATOR, message="仅限纪检监察员、系统管理员和接口调用方访问。")
    ]

    @extend_schema(
        operation_id="dashboard_retrieve",
        summary="电子监察驾驶舱数据",
        description=(
            "与 /monitoring/ 页面相同的数据：今日、本月、本年的受理、在办、办结、超期件数与按时办结率，"
            "按单位和层级的待处理时限提示（黄）与超时报警（红），报警最多的单位，近30日与近12个月趋势，"
            "以及监察扫描、后台任务和消息队列的健康状态。时间按服务器时区计。"
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(payload())
