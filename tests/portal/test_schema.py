"""The OpenAPI schema integrators read: generated without warnings and valid OpenAPI 3."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_is_valid_and_has_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any unresolved field or enum-name collision into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "/api/v1/powers/" in text
    assert "/api/v1/cases/" in text
    assert "/api/v1/alerts/" in text
