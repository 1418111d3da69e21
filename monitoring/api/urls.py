from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring.api import views
from monitoring.api.dashboard import DashboardView

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("timers", views.TimerViewSet, basename="timer")

urlpatterns = router.urls + [
    path("dashboard/", DashboardView.as_view(), name="monitoring-dashboard"),
]
