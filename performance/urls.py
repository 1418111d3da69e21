"""Pages of the appraisal: public under appraisal/, the office under appraisal/office/."""

from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("appraisal/", views.IndexView.as_view(), name="index"),
    path("appraisal/evaluate/", views.VoteView.as_view(), name="vote"),
    path("appraisal/units/<str:code>/", views.UnitHistoryView.as_view(), name="unit"),
    path("appraisal/<int:year>/", views.RankingView.as_view(), name="ranking"),
    path("appraisal/<int:year>/export/<slug:what>.xlsx", views.ExportView.as_view(), name="export"),
    path("appraisal/<int:year>/results/<str:code>/", views.ResultView.as_view(), name="result"),
    path("appraisal/<int:year>/results/<str:code>/correct/", views.CorrectView.as_view(), name="correct"),
    path("appraisal/office/", views.OfficeView.as_view(), name="office"),
    path("appraisal/office/<int:year>/", views.YearView.as_view(), name="year"),
    path("appraisal/office/<int:year>/surveys/", views.SurveyImportView.as_view(), name="surveys"),
    path("appraisal/office/<int:year>/<slug:action>/", views.YearActionView.as_view(), name="year_action"),
    path("appraisal/criteria/", views.CriteriaView.as_view(), name="criteria"),
    path(
        "appraisal/criteria/<int:pk>/<slug:action>/",
        views.CriterionActionView.as_view(),
        name="criterion_action",
    ),
    path("appraisal/entries/", views.EntriesView.as_view(), name="entries"),
    path("appraisal/entries/<int:pk>/<slug:action>/", views.EntryActionView.as_view(), name="entry_action"),
    path("appraisal/rectifications/", views.RectificationListView.as_view(), name="rectifications"),
    path("appraisal/rectifications/<int:pk>/", views.RectificationView.as_view(), name="rectification"),
    path(
        "appraisal/rectifications/<int:pk>/<slug:action>/",
        views.RectificationActionView.as_view(),
        name="rectification_action",
    ),
]
