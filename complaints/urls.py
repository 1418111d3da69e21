"""Pages of the complaint platform: public under complaints/, staff under complaints/desk/."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("complaints/", views.SubmitView.as_view(), name="submit"),
    path("complaints/receipt/", views.ReceiptView.as_view(), name="receipt"),
    # track, track_rate, track_reopen, track_leave (portal.tracking)
    *views.TRACKING.urls("complaints/track/"),
    path("complaints/desk/", views.QueueView.as_view(), name="list"),
    path("complaints/desk/intake/", views.IntakeView.as_view(), name="intake"),
    path("complaints/desk/intake/receipt/", views.IntakeReceiptView.as_view(), name="intake_receipt"),
    path("complaints/desk/report/", views.ReportView.as_view(), name="report"),
    path("complaints/desk/report/export.xlsx", views.ReportExportView.as_view(), name="report_export"),
    path("complaints/desk/<str:code>/", views.DetailView.as_view(), name="detail"),
    path("complaints/desk/<str:code>/identity/", views.IdentityView.as_view(), name="identity"),
    path(
        "complaints/desk/<str:code>/attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"
    ),
    path("complaints/desk/<str:code>/<slug:verb>/", views.DetailView.as_view(), name="action"),
]
