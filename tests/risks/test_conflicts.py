"""Conflict of interest: declarations, the anomaly rule over cases, recusal."""

import pytest
from django.core.exceptions import PermissionDenied

from monitoring import rules
from monitoring.choices import AlertKind
from monitoring.models import Alert
from risks import conflicts
from tests.approvals.factories import at, centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled_case():
    c = centre()
    case, _secret = c.accepted()
    from approvals import services

    case = services.advance_step(case, by=c.acceptor, opinion="材料齐全", now=at(2025, 3, 4))
    return c, case


def _alerts(case):
    return list(Alert.objects.filter(rule="conflict_of_interest", target_id=str(case.pk)))


def test_rule_fires_on_a_declared_relative_by_document_number_once(handled_case):
    c, case = handled_case
    conflicts.declare_relation(
        by=c.acceptor,
        relation="relative",
        counterpart_name="张三丰",
        counterpart_id_number=case.applicant_id_number,
    )
    assert rules.run(targets=[case.pk], codes=["conflict_of_interest"]) == {"conflict_of_interest": 1}
    assert rules.run(targets=[case.pk], codes=["conflict_of_interest"]) == {"conflict_of_interest": 0}
    (alert,) = _alerts(case)
    assert alert.kind == AlertKind.ANOMALY and alert.department_id == case.department_id
    assert "近亲属" in alert.title


def test_rule_matches_names_only_without_a_number_and_is_quiet_otherwise(handled_case):
    c, case = handled_case
    conflicts.declare_relation(
        by=c.reviewer, relation="spouse", counterpart_name=case.applicant_name
    )  # not a handler
    conflicts.declare_relation(by=c.acceptor, relation="business", counterpart_name="某某公司")
    assert rules.run(targets=[case.pk], codes=["conflict_of_interest"]) == {"conflict_of_interest": 0}
    conflicts.declare_relation(by=c.acceptor, relation="spouse", counterpart_name=f" {case.applicant_name} ")
    assert rules.run(targets=[case.pk], codes=["conflict_of_interest"]) == {"conflict_of_interest": 1}


def test_a_recusal_silences_the_rule_and_a_withdrawn_declaration_counts_no_more(handled_case):
    c, case = handled_case
    declaration = conflicts.declare_relation(
        by=c.acceptor, relation="spouse", counterpart_name=case.applicant_name
    )
    conflicts.record_recusal(by=c.acceptor, matter=f"办件 {case.code}", matter_ref=case.code, reason="申请人为配偶",
                             declaration=declaration)  # fmt: skip
    assert rules.run(targets=[case.pk], codes=["conflict_of_interest"]) == {"conflict_of_interest": 0}
    with pytest.raises(PermissionDenied):
        conflicts.withdraw_relation(declaration, by=c.reviewer)
    conflicts.withdraw_relation(declaration, by=c.acceptor)
    from risks.models import ConflictDeclaration

    assert ConflictDeclaration.objects.get().withdrawn_at is not None


def test_declarations_page_is_personal(client):
    from portal import roles
    from tests.factories import DepartmentFactory, UserFactory

    dept = DepartmentFactory(code="SCJG")
    me = UserFactory(username="me", roles=[roles.DEPT_HANDLER], department=dept)
    other = UserFactory(username="other", roles=[roles.DEPT_HANDLER], department=dept)
    client.force_login(me)
    client.post("/risks/my-declarations/", {"relation": "spouse", "counterpart_name": "李某"})
    client.post("/risks/my-declarations/", {"kind": "recusal", "matter": "办件 SP1", "reason": "配偶申请"})
    body = client.get("/risks/my-declarations/").content.decode()
    assert "李某" in body and "办件 SP1" in body
    client.force_login(other)
    assert "李某" not in client.get("/risks/my-declarations/").content.decode()
    from risks.models import ConflictDeclaration

    declaration = ConflictDeclaration.objects.get()
    assert client.post("/risks/my-declarations/", {"withdraw": declaration.pk}).status_code == 404
    assert client.get("/risks/my-declarations/").status_code == 200
