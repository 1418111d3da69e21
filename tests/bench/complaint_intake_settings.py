"""Settings of the complaint intake benchmark: the portal's, plus the plain baseline view's URL."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.complaint_intake_urls"
