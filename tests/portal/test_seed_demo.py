import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal.models import Department, StaffProfile


@pytest.mark.django_db
def test_seed_demo_refuses_production_configuration():
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="生产"):
        call_command("seed_demo")
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_portal_seed_creates_four_levels_and_demo_logins():
    from io import StringIO

    from portal import demo

    demo.seed(scale="small", stdout=StringIO())
    assert set(Department.objects.values_list("level", flat=True)) == {"city", "district", "town", "village"}
    usernames = set(StaffProfile.objects.values_list("user__username", flat=True))
    assert {"admin", "clerk", "handler", "head", "legal", "inspector", "appraiser", "integrator"} <= usernames
    handler = StaffProfile.objects.get(user__username="handler")
    assert handler.posts.filter(code="CB", backup__code="CB-B").exists()
