"""Hole 12 (part): fields the API answers with null are marked nullable in the served schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.parametrize(
    "component, field",
    [("Department", "parent"), ("Post", "backup"), ("FlowStep", "post_name"), ("FlowStep", "backup_post_name"),
     ("ComplaintCategory", "parent"), ("PowerDetail", "successor"), ("PowerDetail", "predecessor"), ("PowerDetail", "review_note")],
)  # fmt: skip
def test_nullable_fields_are_marked(components, component, field):
    prop = components[component]["properties"][field]
    nullable = prop.get("nullable") or any(
        "nullable" in part or part.get("type") == "null"
        for part in prop.get("oneOf", []) + prop.get("allOf", [])
    )
    assert nullable, f"{component}.{field} answers null but the schema says {prop}"
