"""Settings of the intake benchmark (bench_intake.py): the portal's, plus the plain baseline views and
a statement counter on the intake requests (header ``X-Bench-Queries``)."""

from portal.settings import *  # noqa: F403
from portal.settings import MIDDLEWARE

ROOT_URLCONF = "tests.bench.intake_urls"
MIDDLEWARE = ["tests.bench.intake_urls.count_queries", *MIDDLEWARE]
