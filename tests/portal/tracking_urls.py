"""A URLconf for tests/portal/test_tracking.py: one stand-in tracking beside the project's URLs."""

from django.urls import include, path

from tests.portal import test_tracking as t

urlpatterns = [
    path("parcels/track/", t.TrackView.as_view(), name="parcel_track"),
    path("parcels/track/sign/", t.SignView.as_view(), name="parcel_sign"),
    path("parcels/track/leave/", t.LeaveView.as_view(), name="parcel_leave"),
    path("", include("portal.urls")),
]
