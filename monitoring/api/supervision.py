"""API of the alert lifecycle's follow-up: supervision notices (督办) and accountability (问责).

Reads follow ``visible_to``; every write calls a verb of ``monitoring.services.supervision``, which checks who
may act (403) and the transition map (409). Writes need a session or a write-scoped token.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from monitoring.api import serializers as s
from monitoring.models import AccountabilityRecord, SupervisionNotice
from monitoring.permissions import INSPECTOR_ROLES
from monitoring.services import supervision
from monitoring.supervision_filtersets import AccountabilityFilterSet, NoticeFilterSet
from portal.access import HasRole
from portal.api.permissions import PublicReadScopedWrite

InspectorsOnly = HasRole(*INSPECTOR_ROLES, message="仅限纪检监察员访问。")


def validated(serializer_class, request, **context):
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def deadline_of(data) -> dict:
    return {"deadline_days": data.get("deadline_days"), "deadline_on": data.get("deadline_on")}


class SupervisionNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supervision notices: inspectors see all, a department's head and handlers those addressed to it.
    Create = issue (inspectors); answer (the addressed department); close / return / withdraw (inspectors)."""

    serializer_class = s.SupervisionNoticeSerializer
    filterset_class = NoticeFilterSet
    permission_classes = [HasRole(), PublicReadScopedWrite]

    # Inspectors' verbs: refused (403) before the body is read, whoever else asks.
    inspector_actions = {"create", "close", "return_", "withdraw"}

    def get_permissions(self):
        extra = [InspectorsOnly()] if self.action in self.inspector_actions else []
        return [*super().get_permissions(), *extra]

    def get_queryset(self):
        return SupervisionNotice.objects.visible_to(self.request.user).select_related(
            "department", "issued_by", "answered_by"
        )

    def _done(self, notice, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data, status=code)

    @extend_schema(request=s.NoticeIssueSerializer, responses={201: s.SupervisionNoticeSerializer})
    def create(self, request):
        """Issue a notice (发出督办); on an open alert the alert is acknowledged."""
        data = validated(s.NoticeIssueSerializer, request)
        notice = supervision.issue_notice(
            data["alert"], department=data["department"], title=data["title"],
            requirement=data["requirement"], by=request.user, **deadline_of(data),
        )  # fmt: skip
        return self._done(notice, status.HTTP_201_CREATED)

    @extend_schema(request=s.NoticeAnswerSerializer, responses={200: s.SupervisionNoticeSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """整改答复 by the head or a handler of the addressed department."""
        data = validated(s.NoticeAnswerSerializer, request)
        return self._done(
            supervision.answer_notice(self.get_object(), by=request.user, answer=data["answer"])
        )

    @extend_schema(request=s.NoticeCloseSerializer, responses={200: s.SupervisionNoticeSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """办结: the inspector accepts the answer."""
        data = validated(s.NoticeCloseSerializer, request)
        notice = supervision.close_notice(self.get_object(), by=request.user, review_note=data["review_note"])
        return self._done(notice)

    @extend_schema(request=s.NoticeReturnSerializer, responses={200: s.SupervisionNoticeSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回重办 with a new deadline (default 5 working days)."""
        data = validated(s.NoticeReturnSerializer, request)
        notice = supervision.return_notice(
            self.get_object(), by=request.user, review_note=data["review_note"], **deadline_of(data)
        )
        return self._done(notice)

    @extend_schema(request=s.NoticeWithdrawSerializer, responses={200: s.SupervisionNoticeSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回 a notice not yet answered (reason required)."""
        data = validated(s.NoticeWithdrawSerializer, request)
        return self._done(
            supervision.withdraw_notice(self.get_object(), by=request.user, reason=data["reason"])
        )


class AccountabilityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Accountability records (问责), append-only: inspectors list, read and record them."""

    serializer_class = s.AccountabilitySerializer
    filterset_class = AccountabilityFilterSet
    permission_classes = [HasRole(), InspectorsOnly, PublicReadScopedWrite]

    def get_queryset(self):
        return AccountabilityRecord.objects.visible_to(self.request.user).select_related(
            "department", "person", "recorded_by"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = supervision.record_accountability(by=self.request.user, **data)
