from rest_framework.routers import SimpleRouter

from monitoring.api import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("timers", views.TimerViewSet, basename="timer")

urlpatterns = router.urls
