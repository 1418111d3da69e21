"""A URLconf for tests/portal/test_actions.py: one detail page with its verbs, beside the project's URLs."""

from django.urls import include, path

from tests.portal import test_actions

urlpatterns = [
    path("lamps/<int:pk>/", test_actions.LampView.as_view(), name="lamp"),
    path("lamps/<int:pk>/<slug:verb>/", test_actions.LampView.as_view(), name="lamp_action"),
    path("", include("portal.urls")),
]
