from rest_framework.routers import SimpleRouter

from performance.api import views

router = SimpleRouter()
router.register("appraisal/series", views.SeriesViewSet, basename="appraisal-series")
router.register("appraisal/periods", views.PeriodViewSet, basename="appraisal-period")
router.register("appraisal/criteria", views.CriterionViewSet, basename="appraisal-criterion")
router.register("appraisal/entries", views.EntryViewSet, basename="appraisal-entry")
router.register("appraisal/evaluations", views.EvaluationViewSet, basename="appraisal-evaluation")
router.register("appraisal/results", views.ResultViewSet, basename="appraisal-result")
router.register("appraisal/scores", views.ScoreViewSet, basename="appraisal-score")

urlpatterns = router.urls
