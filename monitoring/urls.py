from django.urls import path

from monitoring import dashboard_views, supervision_views, views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("monitoring/figures.json", dashboard_views.FiguresView.as_view(), name="figures"),
    path("monitoring/cases/", dashboard_views.CaseDrilldownView.as_view(), name="cases"),
    path("monitoring/alerts/", views.AlertListView.as_view(), name="alerts"),
    # Alert lifecycle, supervision notices (督办) and accountability (问责): supervision_views.
    path("monitoring/alerts/<int:pk>/", supervision_views.AlertDetailView.as_view(), name="alert"),
    path(
        "monitoring/alerts/<int:pk>/<slug:verb>/",
        supervision_views.AlertDetailView.as_view(),
        name="alert_action",
    ),
    path("monitoring/notices/", supervision_views.NoticeListView.as_view(), name="notices"),
    path("monitoring/notices/new/", supervision_views.NoticeCreateView.as_view(), name="notice_new"),
    path("monitoring/notices/<int:pk>/", supervision_views.NoticeDetailView.as_view(), name="notice"),
    path(
        "monitoring/notices/<int:pk>/<slug:verb>/",
        supervision_views.NoticeDetailView.as_view(),
        name="notice_action",
    ),
    path(
        "monitoring/accountability/",
        supervision_views.AccountabilityListView.as_view(),
        name="accountability",
    ),
    path(
        "monitoring/accountability/new/",
        supervision_views.AccountabilityCreateView.as_view(),
        name="accountability_new",
    ),
    path("health/", views.health_view, name="health"),
]
