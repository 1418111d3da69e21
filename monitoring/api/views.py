from rest_framework import viewsets

from monitoring.api.serializers import AlertSerializer, TimerSerializer
from monitoring.filtersets import AlertFilterSet, TimerFilterSet
from monitoring.models import Alert, Timer
from portal.api.permissions import StaffOnly


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Reminders, overdue alarms, anomalies and stale-sweep alarms. Staff only: inspectors and
    administrators see all, other staff their own department's."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return Alert.objects.visible_to(self.request.user).select_related("department", "timer")


class TimerViewSet(viewsets.ReadOnlyModelViewSet):
    """Time limits being watched (read-only; apps change them through monitoring.timers)."""

    serializer_class = TimerSerializer
    filterset_class = TimerFilterSet
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return Timer.objects.visible_to(self.request.user).select_related("department")
