from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from monitoring.api.serializers import (
    AlertDismissSerializer,
    AlertNoteSerializer,
    AlertNotifySerializer,
    AlertSerializer,
    SupervisionNoticeSerializer,
    TimerSerializer,
)
from monitoring.api.supervision import InspectorsOnly, deadline_of, validated
from monitoring.filtersets import AlertFilterSet, TimerFilterSet
from monitoring.models import Alert, Timer
from monitoring.services import alerts as services
from monitoring.services import supervision
from portal.access import HasRole
from portal.api.permissions import PublicReadScopedWrite


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Reminders, overdue alarms, anomalies and stale-sweep alarms. Staff only: inspectors and
    administrators see all, other staff their own department's. Inspectors move them along their
    lifecycle (acknowledge, resolve, dismiss) and issue supervision notices on them (notify)."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    permission_classes = [HasRole(), PublicReadScopedWrite]

    # The lifecycle verbs are the inspectors': refused (403) before the body is read.
    inspector_actions = {"acknowledge", "resolve", "dismiss", "notify"}

    def get_permissions(self):
        extra = [InspectorsOnly()] if self.action in self.inspector_actions else []
        return [*super().get_permissions(), *extra]

    def get_queryset(self):
        return Alert.objects.visible_to(self.request.user).select_related("department", "timer")

    def _done(self, alert):
        return Response(AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=AlertNoteSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """签收 (open → acknowledged)."""
        data = validated(AlertNoteSerializer, request)
        return self._done(services.acknowledge(self.get_object(), by=request.user, note=data["note"]))

    @extend_schema(request=AlertNoteSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """解除 (open/acknowledged → resolved)."""
        data = validated(AlertNoteSerializer, request)
        return self._done(services.resolve(self.get_object(), by=request.user, note=data["note"]))

    @extend_schema(request=AlertDismissSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """排除 with a reason (open/acknowledged → dismissed)."""
        data = validated(AlertDismissSerializer, request)
        return self._done(services.dismiss(self.get_object(), by=request.user, reason=data["reason"]))

    @extend_schema(request=AlertNotifySerializer, responses={201: SupervisionNoticeSerializer})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """发出督办 on this alert (to its responsible department unless another is named)."""
        alert = self.get_object()
        data = validated(AlertNotifySerializer, request)
        notice = supervision.issue_notice(
            alert, department=data.get("department") or alert.department, title=data["title"],
            requirement=data["requirement"], by=request.user, **deadline_of(data),
        )  # fmt: skip
        return Response(SupervisionNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class TimerViewSet(viewsets.ReadOnlyModelViewSet):
    """Time limits being watched (read-only; apps change them through monitoring.timers)."""

    serializer_class = TimerSerializer
    filterset_class = TimerFilterSet
    permission_classes = [HasRole()]

    def get_queryset(self):
        return Timer.objects.visible_to(self.request.user).select_related("department")
