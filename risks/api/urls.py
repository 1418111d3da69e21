from django.urls import path
from rest_framework.routers import SimpleRouter

from risks.api import views

router = SimpleRouter()
router.register("risk-points", views.RiskPointViewSet, basename="riskpoint")
router.register("risk-matrix", views.GradingMatrixViewSet, basename="riskmatrix")
router.register("risk-information", views.RiskInformationViewSet, basename="riskinformation")
router.register("risk-warnings", views.WarningViewSet, basename="riskwarning")
router.register("risk-orders", views.OrderViewSet, basename="riskorder")

urlpatterns = [
    path("risk-heatmap/", views.HeatMapView.as_view(), name="risk-heatmap"),
    path("integrity-files/<int:pk>/", views.IntegrityFileView.as_view(), name="integrity-file"),
    *router.urls,
]
