"""Pages of the integrity-risk app: the public catalogue under risks/, staff and office pages beside it."""

from django.urls import path

from . import views, views_office, views_reviews

app_name = "risks"

urlpatterns = [
    path("risks/", views.CatalogueView.as_view(), name="catalogue"),
    path("risks/export.xlsx", views.CatalogueExportView.as_view(), name="export"),
    path("risks/manage/template.xlsx", views.TemplateDownloadView.as_view(), name="import_template"),
    path("risks/manage/import/", views.ImportView.as_view(), name="import"),
    path("risks/heatmap/", views.HeatMapView.as_view(), name="heatmap"),
    path("risks/heatmap.json", views.heat_map_json, name="heatmap_json"),
    path("risks/powers/<str:code>/", views.PowerRisksView.as_view(), name="power"),
    path("risks/points/<int:pk>/", views.PointDetailView.as_view(), name="point"),
    path("risks/points/<int:pk>/edit/", views.PointFormView.as_view(), name="edit"),
    path("risks/points/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("risks/points/<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("risks/points/<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("risks/points/<int:pk>/revise/", views.ReviseView.as_view(), name="revise"),
    path("risks/points/<int:pk>/adjust/", views.AdjustScoresView.as_view(), name="adjust"),
    path("risks/manage/", views.ManageView.as_view(), name="manage"),
    path("risks/manage/declare/", views.PointFormView.as_view(), name="declare"),
    path("risks/posts/<int:pk>/", views.PostRiskListView.as_view(), name="post_list"),
    path("risks/posts/<int:pk>/acknowledge/", views.AcknowledgeListView.as_view(), name="acknowledge_list"),
    path("risks/my-list/", views.MyRiskListView.as_view(), name="my_list"),
    # The inspection office's warning loop
    path("risks/office/", views_office.OfficeView.as_view(), name="office"),
    path(
        "risks/office/information/new/",
        views_office.RecordInformationView.as_view(),
        name="record_information",
    ),
    path("risks/office/from-alert/<int:alert_id>/", views_office.FromAlertView.as_view(), name="from_alert"),
    path(
        "risks/office/information/<int:pk>/", views_office.InformationDetailView.as_view(), name="information"
    ),
    path("risks/office/information/<int:pk>/assess/", views_office.AssessView.as_view(), name="assess"),
    path("risks/office/information/<int:pk>/dismiss/", views_office.DismissView.as_view(), name="dismiss"),
    path(
        "risks/office/information/<int:pk>/warn/",
        views_office.IssueWarningView.as_view(),
        name="issue_warning",
    ),
    path(
        "risks/office/information/<int:pk>/order/", views_office.IssueOrderView.as_view(), name="issue_order"
    ),
    path("risks/warnings/", views_office.WarningListView.as_view(), name="warnings"),
    path("risks/warnings/<int:pk>/", views_office.WarningDetailView.as_view(), name="warning"),
    path(
        "risks/warnings/<int:pk>/acknowledge/",
        views_office.AcknowledgeWarningView.as_view(),
        name="acknowledge_warning",
    ),
    path("risks/warnings/<int:pk>/pdf/", views_office.WarningPdfView.as_view(), name="warning_pdf"),
    path("risks/orders/<int:pk>/pdf/", views_office.OrderPdfView.as_view(), name="order_pdf"),
    path("risks/orders/", views_office.OrderListView.as_view(), name="orders"),
    path("risks/orders/<int:pk>/", views_office.OrderDetailView.as_view(), name="order"),
    path("risks/orders/<int:pk>/answer/", views_office.AnswerOrderView.as_view(), name="answer_order"),
    path("risks/orders/<int:pk>/close/", views_office.CloseOrderView.as_view(), name="close_order"),
    path("risks/orders/<int:pk>/return/", views_office.ReturnOrderView.as_view(), name="return_order"),
    path("risks/departments/<str:code>/", views_reviews.DepartmentPanelView.as_view(), name="department"),
    path(
        "risks/self-reviews/<int:pk>/<str:verb>/",
        views_reviews.SelfReviewVerbView.as_view(),
        name="self_review_verb",
    ),
    path("risks/evaluations/", views_reviews.EvaluationsView.as_view(), name="evaluations"),
    path(
        "risks/evaluations/<int:pk>/decide/",
        views_reviews.DecideEvaluationView.as_view(),
        name="decide_evaluation",
    ),
    path("risks/people/<int:pk>/file/", views_office.IntegrityFileView.as_view(), name="integrity_file"),
    path(
        "risks/people/<int:pk>/file/share/", views_office.ShareIntegrityFileView.as_view(), name="share_file"
    ),
    path("risks/my-declarations/", views_reviews.MyDeclarationsView.as_view(), name="declarations"),
    path("risks/my-file/", views_office.MyIntegrityFileView.as_view(), name="my_file"),
]
