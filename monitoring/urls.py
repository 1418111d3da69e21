from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    # Issue 5 replaces the dashboard with the full inspectors' dashboard; until then it is the list.
    path("monitoring/", views.AlertListView.as_view(), name="dashboard"),
    path("monitoring/alerts/", views.AlertListView.as_view(), name="alerts"),
    path("health/", views.health_view, name="health"),
]
