"""The risks API (/api/v1/): reads start from ``visible_to(user)``, writes call the verbs.

Errors carry reasons (portal.api.exceptions): TransitionError → 409, PermissionDenied → 403,
ValidationError → 400. The catalogue and the heat map are public; risk information is the
inspection office's; warnings and orders are seen by whom they address; integrity files by the
office and the person only.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.access import HasRole
from portal.models import Department
from portal.roles import ADMINISTRATOR, INSPECTOR

from .. import catalogue, services
from ..filtersets import OrderFilterSet, RiskInformationFilterSet, RiskPointFilterSet, WarningFilterSet
from ..models import (
    GradingMatrix,
    RiskInformation,
    RiskPoint,
    RiskPointVersion,
    SupervisionOrder,
    WarningNotice,
)
from ..permissions import can_view_integrity_file
from ..views_office import integrity_file
from . import serializers as s


class _Verbs:
    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().model.objects.get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)


class RiskPointViewSet(_Verbs, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """风险等级目录 and the risk points' workflow: declare (POST), edit a draft (PATCH), submit, confirm,
    return, revise, adjust-scores. Anonymous clients see confirmed points only."""

    serializer_class = s.RiskPointSerializer
    filterset_class = RiskPointFilterSet

    def get_queryset(self):
        return (
            RiskPoint.objects.visible_to(self.request.user)
            .select_related("department", "power", "step", "post")
            .order_by("id")
        )

    @extend_schema(request=s.RiskPointWriteSerializer, responses={201: s.RiskPointSerializer})
    def create(self, request):
        """查点：申报风险点（本单位工作人员）。"""
        from portal.roles import department_of

        data = self._validated(s.RiskPointWriteSerializer)
        point = services.declare_point(by=request.user, department=department_of(request.user), **data)
        return self._out(point, status.HTTP_201_CREATED)

    @extend_schema(request=s.RiskPointWriteSerializer, responses=s.RiskPointSerializer)
    def partial_update(self, request, pk=None):
        serializer = s.RiskPointWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return self._out(
            services.update_point(self.get_object(), by=request.user, **serializer.validated_data)
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(services.submit_point(self.get_object(), by=request.user))

    @extend_schema(request=s.RiskNoteSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        note = self._validated(s.RiskNoteSerializer)["note"]
        return self._out(services.confirm_point(self.get_object(), by=request.user, note=note))

    @extend_schema(request=s.RiskReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        reason = self._validated(s.RiskReasonSerializer)["reason"]
        return self._out(services.return_point(self.get_object(), by=request.user, reason=reason))

    @extend_schema(request=s.RiskReasonSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        reason = self._validated(s.RiskReasonSerializer)["reason"]
        return self._out(services.revise_point(self.get_object(), by=request.user, reason=reason))

    @extend_schema(request=s.AdjustScoresSerializer)
    @action(detail=True, methods=["post"], url_path="adjust-scores")
    def adjust_scores(self, request, pk=None):
        data = self._validated(s.AdjustScoresSerializer)
        reason = data.pop("reason")
        return self._out(services.adjust_scores(self.get_object(), by=request.user, reason=reason, **data))

    @extend_schema(responses=s.VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        point = self.get_object()
        from ..permissions import is_office, is_staff_of

        if not (is_office(request.user) or is_staff_of(request.user, point.department)):
            raise PermissionDenied("版本记录仅本单位和纪检监察机关可见。")
        rows = RiskPointVersion.objects.filter(point=point).order_by("-version", "-id")
        return Response(s.VersionSerializer(rows, many=True).data)


class GradingMatrixViewSet(_Verbs, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The grading matrix's versions (public). POST makes a new version and re-grades every point (administrators)."""

    serializer_class = s.MatrixSerializer
    lookup_field = "version"

    def get_queryset(self):
        return GradingMatrix.objects.order_by("-version")

    def list(self, request, *args, **kwargs):
        services.current_matrix()
        return super().list(request, *args, **kwargs)

    def create(self, request):
        data = self._validated(s.MatrixSerializer)
        matrix, changed = services.change_matrix(
            by=request.user,
            weights={
                "likelihood": data["weight_likelihood"],
                "harm": data["weight_harm"],
                "frequency": data["weight_frequency"],
                "discretion": data["weight_discretion"],
            },
            a_threshold=data["a_threshold"],
            b_threshold=data["b_threshold"],
            overrides=data.get("overrides") or [],
            reason=data["reason"],
        )
        body = s.MatrixSerializer(matrix).data
        body["changed"] = changed
        return Response(body, status=status.HTTP_201_CREATED)


class HeatMapView(APIView):
    """Heat-map figures: confirmed points per (likelihood, harm) cell, for the city or one department."""

    @extend_schema(
        parameters=[OpenApiParameter("department", OpenApiTypes.STR, description="单位编码；缺省为全市")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        code = (request.query_params.get("department") or "").strip().upper()
        department = None
        if code:
            department = Department.objects.filter(code=code).first()
            if department is None:  # an unknown filter value is a 400, like every list filter's
                raise ValidationError({"department": ["没有该单位。"]})
        figures = catalogue.heat_map(department)
        figures["grades"] = catalogue.grade_counts(
            RiskPoint.objects.public().filter(**({"department": department} if department else {}))
        )
        return Response(figures)


class RiskInformationViewSet(
    _Verbs, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """廉政风险信息 (the inspection office only): record, turn an alert into information, assess,
    dismiss, issue a warning, issue a supervision order."""

    serializer_class = s.InformationSerializer
    filterset_class = RiskInformationFilterSet
    permission_classes = [HasRole(INSPECTOR, ADMINISTRATOR)]

    def get_queryset(self):
        return (
            RiskInformation.objects.visible_to(self.request.user).select_related("department").order_by("-id")
        )

    def create(self, request):
        data = self._validated(s.InformationSerializer)
        info, _created = services.record_information(by=request.user, **data)
        return self._out(info, status.HTTP_201_CREATED)

    @extend_schema(request=s.FromAlertSerializer)
    @action(detail=False, methods=["post"], url_path="from-alert")
    def from_alert(self, request):
        """一键转入：把电子监察的超时报警或异常转为风险信息（同一预警只转一次）。"""
        alert = self._validated(s.FromAlertSerializer)["alert"]
        info, created = services.information_from_alert(alert, by=request.user)
        return self._out(info, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=s.AssessSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        return self._out(
            services.assess_information(
                self.get_object(), by=request.user, **self._validated(s.AssessSerializer)
            )
        )

    @extend_schema(request=s.RiskReasonSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        reason = self._validated(s.RiskReasonSerializer)["reason"]
        return self._out(services.dismiss_information(self.get_object(), by=request.user, reason=reason))

    @extend_schema(request=s.IssueWarningSerializer, responses={201: s.WarningSerializer})
    @action(detail=True, methods=["post"])
    def warn(self, request, pk=None):
        warning = services.issue_warning(
            self.get_object(), by=request.user, **self._validated(s.IssueWarningSerializer)
        )
        return Response(s.WarningSerializer(warning).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.IssueOrderSerializer, responses={201: s.OrderSerializer})
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        order = services.issue_order(
            self.get_object(), by=request.user, **self._validated(s.IssueOrderSerializer)
        )
        return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class WarningViewSet(_Verbs, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """廉政风险预警警报: the office and whom they address. ``acknowledge`` signs for it."""

    serializer_class = s.WarningSerializer
    filterset_class = WarningFilterSet
    permission_classes = [HasRole()]

    def get_queryset(self):
        return (
            WarningNotice.objects.visible_to(self.request.user).select_related("department").order_by("-id")
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._out(services.acknowledge_warning(self.get_object(), by=request.user))


class OrderViewSet(_Verbs, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """廉政风险督办书: the department answers with its rectification; the office closes or returns it."""

    serializer_class = s.OrderSerializer
    filterset_class = OrderFilterSet
    permission_classes = [HasRole()]

    def get_queryset(self):
        return (
            SupervisionOrder.objects.visible_to(self.request.user)
            .select_related("department")
            .order_by("-id")
        )

    @extend_schema(request=s.RectificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = self._validated(s.RectificationSerializer)
        return self._out(services.answer_order(self.get_object(), by=request.user, **data))

    @extend_schema(request=s.RiskNoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        note = self._validated(s.RiskNoteSerializer)["note"]
        return self._out(services.close_order(self.get_object(), by=request.user, note=note))

    @extend_schema(request=s.ReturnOrderSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._out(
            services.return_order(
                self.get_object(), by=request.user, **self._validated(s.ReturnOrderSerializer)
            )
        )


class IntegrityFileView(APIView):
    """廉政档案 of one person: the inspection office and the person only (403 for anyone else)."""

    permission_classes = [HasRole()]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        person = get_user_model().objects.filter(pk=pk).first()
        if person is None:
            raise Http404("没有该人员。")
        if not can_view_integrity_file(request.user, person):
            raise PermissionDenied("廉政档案仅纪检监察机关和本人可以查看。")
        data = integrity_file(person)
        return Response(
            {
                "person": person.pk,
                "warnings": s.WarningSerializer(data["warnings"], many=True).data,
                "orders": s.OrderSerializer(data["orders"], many=True).data,
                "accountability": data["accountability"],
                "evaluations": [
                    {"period_start": e.period_start, "period_end": e.period_end, "respondents": e.respondents,
                     "satisfied": e.satisfied, "satisfaction": str(e.satisfaction), "flagged": e.flagged,
                     "decision": e.decision, "decision_note": e.decision_note}
                    for e in data["evaluations"]
                ],
            }
        )  # fmt: skip
