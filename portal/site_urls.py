from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
]
