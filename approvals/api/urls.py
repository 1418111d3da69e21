from rest_framework.routers import SimpleRouter

from approvals.api import views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("cases", views.CaseViewSet, basename="case")
router.register("enforcement-cases", views.EnforcementCaseViewSet, basename="enforcement-case")

urlpatterns = router.urls
