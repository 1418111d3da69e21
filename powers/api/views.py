"""The power-list API (/api/v1/). Reads start from ``visible_to(user)``; every write calls a verb in powers.services.

Errors carry reasons: TransitionError -> 409, PermissionDenied -> 403, ValidationError -> 400
(portal.api.exceptions). A malformed uniform code is a 404 that says so.
"""

import re

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from portal.api.pagination import StandardCursorPagination
from powers import discretion, services
from powers.choices import CODE_REGEX
from powers.filtersets import (
    DiscretionStandardFilterSet,
    FlowchartFilterSet,
    LegalArticleFilterSet,
    LegalDocumentFilterSet,
    PowerFilterSet,
)
from powers.models import DiscretionStandard, Flowchart, FlowStep, LegalArticle, LegalDocument, Power

from .serializers import (
    POWER_LIST_COLUMNS,
    CalculationRequestSerializer,
    CalculationSerializer,
    DelegateSerializer,
    DiscretionStandardSerializer,
    FlowchartSerializer,
    LegalArticleSerializer,
    LegalDocumentDetailSerializer,
    LegalDocumentSerializer,
    MergeSerializer,
    PowerDetailSerializer,
    PowerNoteSerializer,
    PowerReasonSerializer,
    PowerSerializer,
    PowerWriteSerializer,
    power_list_rows,
)

CODE_PATTERN = re.compile(CODE_REGEX)
CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="统一编码，例如 XK-SCJG-0001"
)


class CodeOrderedPagination(StandardCursorPagination):
    ordering = ("code", "-version")


def _check_code(code: str) -> str:
    if not CODE_PATTERN.match(code or ""):
        raise NotFound(f"统一编码「{code}」格式不正确：应为 类别-单位编码-四位序号，例如 XK-SCJG-0001。")
    return code


def _steps_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(f"{prefix}steps", queryset=FlowStep.objects.select_related("post", "post__backup"))


def _standards_prefetch(prefix: str = "") -> list:
    return [f"{prefix}standards__bands", f"{prefix}standards__article__document"]


def _with_detail(queryset):
    return queryset.select_related("predecessor", "successor").prefetch_related(
        "legal_articles__document", _steps_prefetch("flowchart__"), *_standards_prefetch()
    )


# Which version of a code an action works on: the current row (what the public sees, and what is
# revised, abolished or delegated), or the newest version (the pending draft under review, if any).
NEWEST_VERSION_ACTIONS = {
    "partial_update",
    "submit",
    "approve",
    "return_",
    "publish",
    "flowchart",
    "standards",
}


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter("version", OpenApiTypes.INT, description="历史版本号；缺省为当前版本"),
        ]
    ),
    partial_update=extend_schema(parameters=[CODE_PARAMETER], responses=PowerDetailSerializer),
    create=extend_schema(responses={201: PowerDetailSerializer}),
)
class PowerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The power list (权力清单). Anonymous clients see published powers and their history only.

    The list shows the current version of each code unless ``versions=all``. Writes are the
    workflow verbs: declare (POST), edit a draft (PATCH), submit, approve, return, publish,
    revise, abolish, delegate, merge.
    """

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = PowerFilterSet
    pagination_class = CodeOrderedPagination

    def list(self, request, *args, **kwargs):
        # Rows as dicts of the listed columns (no model objects, no per-row serializer fields); the
        # schema still documents PowerSerializer, whose output power_list_rows reproduces.
        rows = self.filter_queryset(self.get_queryset()).values(*POWER_LIST_COLUMNS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(power_list_rows(page, request))

    def get_serializer_class(self):
        if self.action == "list":
            return PowerSerializer
        if self.action in ("create", "partial_update"):
            return PowerWriteSerializer
        return PowerDetailSerializer

    def get_queryset(self):
        queryset = Power.objects.visible_to(self.request.user).select_related("department")
        if self.action == "list":
            return queryset
        return _with_detail(queryset)

    def get_object(self):
        code = _check_code(self.kwargs["code"])
        queryset = self.get_queryset().filter(code=code)
        version = self.request.query_params.get("version") if self.action == "retrieve" else None
        if version:
            if not version.isdigit():
                raise DRFValidationError({"version": "版本号应为正整数。"})
            power = queryset.filter(version=int(version)).first()
        elif self.action in NEWEST_VERSION_ACTIONS:
            power = queryset.order_by("-version").first()
        else:
            power = queryset.filter(is_current=True).first()
        if power is None:
            raise NotFound(f"没有统一编码为「{code}」的权力事项，或您无权查看。")
        self.check_object_permissions(self.request, power)
        return power

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.kwargs.get("code"):
            context["versions"] = (
                Power.objects.visible_to(self.request.user)
                .filter(code=self.kwargs["code"])
                .order_by("version")
            )
        return context

    def _detail(self, power, status_code=status.HTTP_200_OK):
        # The verb's result, shown to the user who just acted on it (a delegated draft belongs to
        # another department, yet its proposer sees what was created).
        power = _with_detail(Power.objects.select_related("department")).get(pk=power.pk)
        context = self.get_serializer_context()
        context["versions"] = (
            Power.objects.visible_to(self.request.user).filter(code=power.code).order_by("version")
        )
        return Response(PowerDetailSerializer(power, context=context).data, status=status_code)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = dict(self._validated(PowerWriteSerializer))
        power = services.declare_power(by=request.user, **data)
        return self._detail(power, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        power = self.get_object()
        serializer = PowerWriteSerializer(power, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        power = services.update_draft(power, by=request.user, **serializer.validated_data)
        return self._detail(power)

    @extend_schema(request=None, responses=PowerDetailSerializer, parameters=[CODE_PARAMETER])
    @action(detail=True, methods=["post"])
    def submit(self, request, code=None):
        """申报：提交法制审核。"""
        return self._detail(services.submit_power(self.get_object(), by=request.user))

    @extend_schema(request=PowerNoteSerializer, responses=PowerDetailSerializer, parameters=[CODE_PARAMETER])
    @action(detail=True, methods=["post"])
    def approve(self, request, code=None):
        """法制审核通过（法制审核员）。"""
        note = self._validated(PowerNoteSerializer).get("note", "")
        return self._detail(services.approve_power(self.get_object(), by=request.user, note=note))

    @extend_schema(
        request=PowerReasonSerializer, responses=PowerDetailSerializer, parameters=[CODE_PARAMETER]
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, code=None):
        """退回并说明理由（法制审核员或政府确认人员）。"""
        reason = self._validated(PowerReasonSerializer)["reason"]
        return self._detail(services.return_power(self.get_object(), by=request.user, reason=reason))

    @extend_schema(request=None, responses=PowerDetailSerializer, parameters=[CODE_PARAMETER])
    @action(detail=True, methods=["post"])
    def publish(self, request, code=None):
        """确认公布（政府确认人员）。"""
        return self._detail(services.publish_power(self.get_object(), by=request.user))

    @extend_schema(
        request=PowerReasonSerializer, responses=PowerDetailSerializer, parameters=[CODE_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def abolish(self, request, code=None):
        """废止已公布的权力事项（政府确认人员，须说明理由）。"""
        reason = self._validated(PowerReasonSerializer)["reason"]
        return self._detail(services.abolish_power(self.get_object(), by=request.user, reason=reason))

    @extend_schema(
        request=PowerReasonSerializer, responses={201: PowerDetailSerializer}, parameters=[CODE_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, code=None):
        """提出修订：生成同一编码的新版本草稿。"""
        reason = self._validated(PowerReasonSerializer)["reason"]
        new = services.propose_revision(self.get_object(), by=request.user, reason=reason)
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(
        request=DelegateSerializer, responses={201: PowerDetailSerializer}, parameters=[CODE_PARAMETER]
    )
    @action(detail=True, methods=["post"])
    def delegate(self, request, code=None):
        """提出下放：在更低一级的单位生成新编码的草稿。"""
        data = self._validated(DelegateSerializer)
        new = services.propose_delegation(
            self.get_object(), by=request.user, to_department=data["to_department"], reason=data["reason"]
        )
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(request=MergeSerializer, responses={201: PowerDetailSerializer})
    @action(detail=False, methods=["post"])
    def merge(self, request):
        """提出合并：同一单位的多项已公布事项合并为一项新草稿。"""
        data = self._validated(MergeSerializer)
        codes = list(dict.fromkeys(data["codes"]))
        powers = list(Power.objects.visible_to(request.user).filter(code__in=codes, is_current=True))
        missing = sorted(set(codes) - {p.code for p in powers})
        if missing:
            raise DRFValidationError({"codes": [f"找不到权力事项：{', '.join(missing)}。"]})
        new = services.propose_merger(powers, by=request.user, name=data["name"], reason=data["reason"])
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=FlowchartSerializer, parameters=[CODE_PARAMETER])
    @extend_schema(
        methods=["PUT"],
        request=FlowchartSerializer,
        responses=FlowchartSerializer,
        parameters=[CODE_PARAMETER],
    )
    @action(detail=True, methods=["get", "put"])
    def flowchart(self, request, code=None):
        """GET: the flowchart of the newest visible version; PUT: replace the steps of a draft."""
        power = self.get_object()
        if request.method == "PUT":
            data = self._validated(FlowchartSerializer)
            services.save_flowchart(power, by=request.user, steps=data["steps"], note=data.get("note", ""))
        chart = (
            Flowchart.objects.filter(power=power)
            .select_related("power")
            .prefetch_related(_steps_prefetch())
            .first()
        )
        if chart is None:
            raise NotFound("该权力事项尚未绘制流程图。")
        return Response(FlowchartSerializer(chart).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=DiscretionStandardSerializer(many=True),
        parameters=[CODE_PARAMETER],
    )
    @extend_schema(
        methods=["POST"],
        request=DiscretionStandardSerializer,
        responses={201: DiscretionStandardSerializer},
        parameters=[CODE_PARAMETER],
    )
    # The standards of one power, whole: no pagination and no list filters (the schema said a page).
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def standards(self, request, code=None):
        """GET: the discretion standards of the newest visible version; POST: add one to a draft."""
        power = self.get_object()
        if request.method == "POST":
            data = dict(self._validated(DiscretionStandardSerializer))
            standard = services.save_standard(power, by=request.user, bands=data.pop("bands"), **data)
            return Response(DiscretionStandardSerializer(standard).data, status=status.HTTP_201_CREATED)
        standards = power.standards.select_related("power", "article__document").prefetch_related("bands")
        return Response(DiscretionStandardSerializer(standards, many=True).data)


class LegalDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Laws, regulations and rules (法律法规规章) behind the powers; public."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = LegalDocumentFilterSet
    queryset = LegalDocument.objects.all()

    def get_serializer_class(self):
        return LegalDocumentDetailSerializer if self.action == "retrieve" else LegalDocumentSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return LegalDocument.objects.prefetch_related("articles")
        return LegalDocument.objects.all()


class LegalArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Articles (法条) that powers cite as legal basis; public."""

    serializer_class = LegalArticleSerializer
    filterset_class = LegalArticleFilterSet
    queryset = LegalArticle.objects.select_related("document")


@extend_schema_view(retrieve=extend_schema(parameters=[CODE_PARAMETER]))
class FlowchartViewSet(viewsets.ReadOnlyModelViewSet):
    """Flowcharts (权力运行流程图) of current power versions, looked up by the power's uniform code."""

    serializer_class = FlowchartSerializer
    filterset_class = FlowchartFilterSet
    lookup_field = "power__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return (
            Flowchart.objects.visible_to(self.request.user)
            .filter(power__is_current=True)
            .select_related("power")
            .prefetch_related(_steps_prefetch())
        )

    def get_object(self):
        _check_code(self.kwargs["code"])
        return super().get_object()


@extend_schema_view(
    update=extend_schema(request=DiscretionStandardSerializer),
)
class DiscretionStandardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Discretion standards (自由裁量基准) with their graded bands, and the public calculator.

    PUT replaces a standard of a draft with its bands, DELETE removes it (both through the verbs);
    new standards are added under their power: POST /api/v1/powers/{code}/standards/.
    """

    serializer_class = DiscretionStandardSerializer
    filterset_class = DiscretionStandardFilterSet
    http_method_names = ["get", "put", "delete", "post", "head", "options"]

    def get_queryset(self):
        return (
            DiscretionStandard.objects.visible_to(self.request.user)
            .select_related("power", "article__document")
            .prefetch_related("bands")
        )

    def update(self, request, *args, **kwargs):
        standard = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        standard = services.save_standard(
            standard.power, by=request.user, standard=standard, bands=data.pop("bands"), **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=standard.pk)).data)

    def destroy(self, request, *args, **kwargs):
        standard = self.get_object()
        services.remove_standard(standard.power, by=request.user, standard=standard)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CalculationRequestSerializer, responses=CalculationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[AllowAny])
    def calculate(self, request, pk=None):
        """自由裁量计算：录入情节，得出所在档次和处罚幅度。公开信息，无需登录。"""
        standard = self.get_object()
        serializer = CalculationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = discretion.calculate(standard.bands.all(), serializer.validated_data["fact"])
        band = result.band
        body = {
            "standard": standard.pk,
            "fact": str(result.fact),
            "fact_label": standard.fact_label,
            "fact_unit": standard.fact_unit,
            "amount_unit": standard.amount_unit,
            "band": {
                "order": band.order,
                "severity": band.severity,
                "fact_min": band.fact_min,
                "fact_max": band.fact_max,
                "amount_min": band.amount_min,
                "amount_max": band.amount_max,
                "description": band.description,
            },
            "amount_range": list(result.amount_range),
        }
        return Response(CalculationSerializer(body).data)
