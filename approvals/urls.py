"""Pages of the service centre: the public guide and tracking under services/ and track/, the staff desk under desk/."""

from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .views import disclosure as disclosure_views
from .views import efficiency as efficiency_views
from .views import screen as screen_views

app_name = "approvals"

urlpatterns = [
    path("services/", views.ItemListView.as_view(), name="items"),
    path("services/receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("services/<str:code>/", views.ItemDetailView.as_view(), name="item"),
    path("services/<str:code>/apply/", views.ApplyView.as_view(), name="apply"),
    # track, track_rate, track_correct, track_leave (portal.tracking)
    *views.TRACKING.urls("track/"),
    path("results/", disclosure_views.ResultListView.as_view(), name="results"),
    path("results/feed/", require_safe(disclosure_views.ResultFeed()), name="results_feed"),
    path("results/export.csv", disclosure_views.ResultExportView.as_view(), name="results_export"),
    path("results/<int:pk>/", disclosure_views.ResultDetailView.as_view(), name="result"),
    path("screen/", screen_views.ScreenView.as_view(), name="screen"),
    path("screen/data.json", screen_views.ScreenDataView.as_view(), name="screen_data"),
    path("desk/results/", disclosure_views.DisclosureDeskView.as_view(), name="results_desk"),
    path(
        "desk/results/<int:pk>/<slug:verb>/",
        disclosure_views.DisclosureActionView.as_view(),
        name="results_action",
    ),
    path("desk/", views.DeskView.as_view(), name="desk"),
    path("desk/intake/", views.IntakeView.as_view(), name="intake"),
    path("desk/intake/receipt/", views.IntakeReceiptView.as_view(), name="intake_receipt"),
    path("desk/enforcement/new/", views.EnforcementNewView.as_view(), name="enforcement_new"),
    path("desk/cases/<str:code>/", views.CaseView.as_view(), name="case"),
    path("desk/cases/<str:code>/materials/<int:pk>/", views.MaterialDownloadView.as_view(), name="material"),
    path("desk/cases/<str:code>/notices/<slug:kind>/", views.NoticeView.as_view(), name="notice"),
    path("desk/cases/<str:code>/id-number/", views.IdNumberView.as_view(), name="case_id_number"),
    path("desk/cases/<str:code>/<slug:verb>/", views.CaseView.as_view(), name="case_action"),
    path("efficiency/", efficiency_views.EfficiencyView.as_view(), name="efficiency"),
    path("efficiency/export.xlsx", efficiency_views.EfficiencyExportView.as_view(), name="efficiency_export"),
    path("efficiency/print/", efficiency_views.EfficiencyPrintView.as_view(), name="efficiency_print"),
]
