from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring.api import supervision, views
from monitoring.api.dashboard import DashboardView

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("timers", views.TimerViewSet, basename="timer")
router.register("supervision-notices", supervision.SupervisionNoticeViewSet, basename="supervision-notice")
router.register("accountability", supervision.AccountabilityViewSet, basename="accountability")

urlpatterns = router.urls + [
    path("dashboard/", DashboardView.as_view(), name="monitoring-dashboard"),
]
