from django.urls import path

from monitoring import dashboard_views, views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("monitoring/figures.json", dashboard_views.FiguresView.as_view(), name="figures"),
    path("monitoring/cases/", dashboard_views.CaseDrilldownView.as_view(), name="cases"),
    path("monitoring/alerts/", views.AlertListView.as_view(), name="alerts"),
    path("health/", views.health_view, name="health"),
]
