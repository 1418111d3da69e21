"""The service-centre API (/api/v1/). Reads start from ``visible_to(user)``; every write calls a verb.

- ``service-items/``: public catalogue of service items (materials, fees, limits, windows).
- ``cases/``: create = apply (anonymous allowed for items offered online; the query secret is
  returned only then); list and retrieve for staff; one POST action per verb; ``cases/track/``
  for the public (code + secret, throttled by the "tracking" scope).
- ``enforcement-cases/``: an officer files an enforcement case (立案).

Errors carry reasons: TransitionError -> 409, PermissionDenied -> 403, ValidationError -> 400.
"""

import re

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from portal import uploads
from portal.api.pagination import StandardCursorPagination
from portal.api.permissions import PublicReadScopedWrite
from portal.ratelimit import AnonThrottle, ScopedThrottle
from powers.models import DiscretionStandard, Power

from .. import query_secret, services
from ..filtersets import CaseFilterSet, ServiceItemFilterSet
from ..models import Case, CaseStep, ServiceItem
from . import serializers as s

CASE_CODE = r"[A-Za-z0-9\-]+"
_FILE_FIELD = re.compile(r"^material_(\d+)$")
WRONG_SECRET = query_secret.WRONG


class CodeOrderedPagination(StandardCursorPagination):
    ordering = "code"


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Service items (服务事项): public. Filters: department, power, q, is_online, is_active."""

    serializer_class = s.ServiceItemSerializer
    filterset_class = ServiceItemFilterSet
    pagination_class = CodeOrderedPagination
    lookup_field = "code"
    lookup_value_regex = CASE_CODE

    def get_queryset(self):
        return ServiceItem.objects.visible_to(self.request.user).with_details()


class CasePermission(permissions.BasePermission):
    """Applying, tracking, correcting and rating are open to citizens; everything else needs staff."""

    PUBLIC_ACTIONS = {"create", "track", "rate", "correct"}
    message = "仅限工作人员访问。"

    def has_permission(self, request, view):
        scoped = PublicReadScopedWrite()
        if view.action in self.PUBLIC_ACTIONS:
            if request.user and request.user.is_authenticated and not scoped.has_permission(request, view):
                self.message = scoped.message
                return False
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if not scoped.has_permission(request, view):
            self.message = scoped.message
            return False
        return True


def _uploads(request) -> dict:
    """Files posted as ``material_<id>`` fields: ``{id: [files]}``."""
    files = {}
    for key in request.FILES:
        match = _FILE_FIELD.match(key)
        if match is None:
            raise DRFValidationError({key: "文件字段应命名为 material_<材料编号>。"})
        files[int(match.group(1))] = request.FILES.getlist(key)
    # The one upload policy, as on the pages (the verb checks it again): errors keyed material_<id>.
    uploads.check_mapping({f"material_{pk}": value for pk, value in files.items()})
    return files


def _detail_queryset(queryset):
    steps = Prefetch(
        "steps", queryset=CaseStep.objects.select_related("post", "handled_post", "handled_by__staff_profile")
    )
    return queryset.select_related("fee_payment", "penalty__standard", "rating").prefetch_related(
        steps,
        "events__post",
        "suspensions",
        "materials",
        "corrections",
        Prefetch("subcases", queryset=Case.objects.select_related("department").order_by("id")),
    )


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases (办件). Filters: department, item, power, status, kind, channel, is_open, overdue,
    suspended, green_channel, subcases, accepted_after/before, q."""

    permission_classes = [CasePermission]
    filterset_class = CaseFilterSet
    lookup_field = "code"
    lookup_value_regex = CASE_CODE

    #: The query parameters that filter the list: without any of them the filterset is not built.
    LIST_FILTERS = frozenset(CaseFilterSet.base_filters)

    def get_queryset(self):
        if self.action == "list":
            return Case.objects.visible_to(self.request.user)
        return _detail_queryset(Case.objects.visible_to(self.request.user).for_list())

    def list(self, request, *args, **kwargs):
        # The lean list (issue 13): a keyset page of ids, then one values() query of the listed columns
        # (CaseListRows); no model objects, no serializer fields per row. The body is CaseSerializer's,
        # which the schema documents (get_serializer_class). No docstring: the API docs show the class's.
        queryset = self.get_queryset()
        if not self.LIST_FILTERS.isdisjoint(request.query_params):
            queryset = self.filter_queryset(queryset)  # validated by the filterset only when filtering
        page = self.paginate_queryset(queryset.values("id"))
        rows = s.CaseListRows(timezone.localdate()).rows([row["id"] for row in page])
        return self.get_paginated_response(rows)

    def get_serializer_class(self):
        return s.CaseSerializer if self.action == "list" else s.CaseDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_throttles(self):
        if self.action in {"track", "rate", "correct"}:
            self.throttle_scope = "tracking"
            return [ScopedThrottle()]
        if self.action == "create":
            return [AnonThrottle()]
        return super().get_throttles()

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _done(self, case, code=status.HTTP_200_OK):
        case = self.get_queryset().get(pk=case.pk)
        return Response(s.CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code)

    def _public_case(self, code: str, secret: str) -> Case:
        """A case addressed by code for a secret-holder; a missing code answers like a wrong secret."""
        case = Case.objects.filter(code=code, parent__isnull=True).select_related("item").first()
        if case is None:
            query_secret.check(secret, None)  # same work as a wrong secret
            raise PermissionDenied(gettext(WRONG_SECRET))
        return case

    # --- apply and track (public) ----------------------------------------------------------

    @extend_schema(request=s.ApplySerializer, responses={201: s.SubmittedSerializer})
    def create(self, request):
        """Apply (申请): online by anyone for items offered online, or at a window by a clerk."""
        serializer = s.ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.item_to_apply_for(data.pop("item"))
        paper = data.pop("paper_materials")
        user = request.user if request.user.is_authenticated else None
        case, secret = services.submit_application(
            item, files=_uploads(request), paper_materials=paper, by=user, **data
        )
        body = {  # SubmittedSerializer's shape, written out (the time in the current zone, as DRF does)
            "code": case.code,
            "query_secret": secret,
            "status": case.status,
            "submitted_at": timezone.localtime(case.submitted_at).isoformat(),
            "missing_materials": [m.name for m in services.missing_materials(case)],
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TrackSerializer, responses={200: s.TrackingSerializer})
    @action(detail=False, methods=["post"])
    def track(self, request):
        """Track a case with its code and query secret. A wrong code and a wrong secret answer alike."""
        data = self._input(s.TrackSerializer)
        case = services.track(data["code"], data["secret"])
        if case is None:
            raise NotFound(gettext(WRONG_SECRET))
        queryset = Case.objects.select_related("item", "power", "department", "current_step", "current_post")
        case = _detail_queryset(queryset).get(pk=case.pk)
        return Response(s.TrackingSerializer(case).data)

    @extend_schema(request=s.RateSerializer, responses={200: s.RatingSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, code=None):
        """The applicant rates a completed case once (满意度评议), with the query secret."""
        data = self._input(s.RateSerializer)
        case = self._public_case(code, data["secret"])
        rating = services.rate_case(case, secret=data["secret"], score=data["score"], comment=data["comment"])
        return Response(s.RatingSerializer(rating).data)

    @extend_schema(request=s.CorrectSerializer, responses={200: s.TrackingSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, code=None):
        """Hand in corrected materials (补正): the applicant with the secret, or window staff."""
        data = self._input(s.CorrectSerializer)
        user = request.user if request.user.is_authenticated else None
        secret = data.get("secret", "")
        case = self._public_case(code, secret)
        case = services.submit_correction(
            case, files=_uploads(request), paper_materials=data["paper_materials"], by=user, secret=secret
        )
        return Response(s.TrackingSerializer(_detail_queryset(Case.objects).get(pk=case.pk)).data)

    # --- staff verbs --------------------------------------------------------------------------

    @extend_schema(request=None, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, code=None):
        """Accept (受理): the clock starts; the case goes to the flowchart's first step."""
        return self._done(services.accept_case(self.get_object(), by=request.user))

    @extend_schema(request=s.RequestCorrectionSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="request-correction")
    def request_correction(self, request, code=None):
        """List every missing material at once (一次性告知补正): material ids or descriptions."""
        data = self._input(s.RequestCorrectionSerializer)
        case = self.get_object()
        services.request_correction(case, by=request.user, missing=data["missing"], note=data["note"])
        return self._done(case)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, code=None):
        """Refuse to accept (不予受理), with reasons."""
        data = self._input(s.ReasonSerializer)
        return self._done(services.refuse_intake(self.get_object(), by=request.user, reason=data["reason"]))

    @extend_schema(request=s.AdvanceSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request, code=None):
        """Finish the current step (by its post or B post) and move to the next one."""
        data = self._input(s.AdvanceSerializer)
        case = services.advance_step(
            self.get_object(), by=request.user, opinion=data["opinion"], step=data.get("step")
        )
        return self._done(case)

    @extend_schema(request=s.SuspendSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, code=None):
        """Open a suspension (暂停计时): correction, expert review, hearing or other."""
        data = self._input(s.SuspendSerializer)
        case = self.get_object()
        services.suspend_case(case, by=request.user, kind=data["kind"], reason=data["reason"])
        return self._done(case)

    @extend_schema(request=s.NoteSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, code=None):
        """Close the open suspension; due dates move on by the suspended working days."""
        data = self._input(s.NoteSerializer)
        case = self.get_object()
        services.resume_case(case, by=request.user, note=data["note"])
        return self._done(case)

    @extend_schema(request=s.OpenParallelSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="open-parallel")
    def open_parallel(self, request, code=None):
        """Open sub-cases with other departments (并联审批); the case waits for all of them."""
        data = self._input(s.OpenParallelSerializer)
        case = self.get_object()
        services.open_parallel(
            case, by=request.user, departments=data["departments"], note=data["note"], days=data.get("days")
        )
        return self._done(case)

    @extend_schema(request=s.CompleteSubcaseSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="complete-subcase")
    def complete_subcase(self, request, code=None):
        """A department's opinion on its sub-case (会签意见)."""
        data = self._input(s.CompleteSubcaseSerializer)
        sub = services.complete_subcase(
            self.get_object(), by=request.user, opinion=data["opinion"], agree=data["agree"]
        )
        return self._done(sub)

    @extend_schema(request=s.DecideSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, code=None):
        """The decision at the last step: approve / refuse (with reasons and legal basis)."""
        data = self._input(s.DecideSerializer)
        case = services.decide_case(self.get_object(), by=request.user, **data)
        return self._done(case)

    @extend_schema(request=s.DecidePenaltySerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="decide-penalty")
    def decide_penalty(self, request, code=None):
        """A penalty through the discretion calculator; outside the band needs reasons and the collective record."""
        data = self._input(s.DecidePenaltySerializer)
        case = self.get_object()
        standard = DiscretionStandard.objects.filter(pk=data.pop("standard"), power_id=case.power_id).first()
        if standard is None:
            raise DRFValidationError({"standard": "裁量基准不存在或不属于本案适用的权力事项。"})
        services.decide_penalty(case, by=request.user, standard=standard, **data)
        return self._done(case)

    @extend_schema(request=s.RecordFeeSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="record-fee")
    def record_fee(self, request, code=None):
        """Record the fee at the one fee window (一个窗口收费)."""
        data = self._input(s.RecordFeeSerializer)
        case = self.get_object()
        services.record_fee(case, by=request.user, **data)
        return self._done(case)

    @extend_schema(request=None, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, code=None):
        """Close the case (办结); refused while a due fee is unrecorded."""
        return self._done(services.complete_case(self.get_object(), by=request.user))

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="green-channel")
    def green_channel(self, request, code=None):
        """Put the case on the green channel (绿色通道)."""
        data = self._input(s.ReasonSerializer)
        return self._done(
            services.mark_green_channel(self.get_object(), by=request.user, reason=data["reason"])
        )

    @extend_schema(request=None, responses={200: s.SecretSerializer})
    @action(detail=True, methods=["post"], url_path="reissue-secret")
    def reissue_secret(self, request, code=None):
        """A new query secret for an applicant who lost theirs (returned this once)."""
        secret = services.reissue_secret(self.get_object(), by=request.user)
        return Response(s.SecretSerializer({"query_secret": secret}).data)


class EnforcementCaseViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """File an enforcement case (立案) on a published penalty, coercion or inspection power.

    The case then runs through /api/v1/cases/<code>/ actions (advance, suspend, decide-penalty, complete).
    """

    permission_classes = [permissions.IsAuthenticated, PublicReadScopedWrite]
    serializer_class = s.EnforcementSerializer

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user)

    @extend_schema(request=s.EnforcementSerializer, responses={201: s.CaseDetailSerializer})
    def create(self, request):
        serializer = s.EnforcementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        power = Power.objects.exercisable().filter(code=data.pop("power").strip().upper()).first()
        if power is None:
            raise DRFValidationError({"power": "没有该编码的已公布权力事项。"})
        case = services.open_enforcement_case(power, by=request.user, **data)
        case = _detail_queryset(Case.objects.for_list()).get(pk=case.pk)
        context = {"request": request, "today": timezone.localdate()}
        return Response(s.CaseDetailSerializer(case, context=context).data, status=status.HTTP_201_CREATED)
