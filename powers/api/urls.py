from rest_framework.routers import SimpleRouter

from powers.api import views

router = SimpleRouter()
router.register("powers", views.PowerViewSet, basename="power")
router.register("legal-documents", views.LegalDocumentViewSet, basename="legaldocument")
router.register("legal-articles", views.LegalArticleViewSet, basename="legalarticle")
router.register("flowcharts", views.FlowchartViewSet, basename="flowchart")
router.register("discretion-standards", views.DiscretionStandardViewSet, basename="discretionstandard")

urlpatterns = router.urls
