from django.urls import path, re_path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
    path("open-data/", views.OpenDataView.as_view(), name="open_data"),
    re_path(
        r"^open-data/(?P<slug>[-a-z0-9]+)\.(?P<fmt>csv|json)$",
        views.OpenDataDownloadView.as_view(),
        name="open_data_download",
    ),
]
