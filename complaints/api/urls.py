from django.urls import path
from rest_framework.routers import SimpleRouter

from complaints.api import views

router = SimpleRouter()
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("complaint-categories", views.CategoryViewSet, basename="complaint-category")

urlpatterns = router.urls + [
    path("complaint-indicators/", views.IndicatorsView.as_view(), name="complaint-indicators"),
]
