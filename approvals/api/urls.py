from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api import efficiency, results, views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("cases", views.CaseViewSet, basename="case")
router.register("enforcement-cases", views.EnforcementCaseViewSet, basename="enforcement-case")
router.register("results", results.ResultViewSet, basename="result")

urlpatterns = router.urls + [
    path("efficiency/", efficiency.EfficiencyView.as_view(), name="efficiency"),
]
