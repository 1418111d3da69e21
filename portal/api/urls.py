from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.api import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("posts", views.PostViewSet, basename="post")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("search/", views.SearchView.as_view(), name="api-search"),
    *router.urls,
]
