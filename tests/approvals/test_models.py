"""Schema constraints, querysets and the query-secret scheme."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import query_secret, services
from approvals.choices import CASE_TRANSITIONS, SUSPENSION_MAX_DAYS, ApplicantType, CaseStatus, SuspensionKind
from approvals.models import Case, FeePayment, PenaltyDecision, Rating, ServiceItem, Suspension
from tests.approvals.factories import ServiceItemFactory, at

pytestmark = pytest.mark.django_db


def test_promised_limit_within_statutory(centre):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItemFactory(power=centre.power, statutory_days=5, promised_days=6)
    item = ServiceItem(statutory_days=5, promised_days=6, warn_days_before=1)
    with pytest.raises(ValidationError) as error:
        item.clean()
    assert "promised_days" in error.value.message_dict


@pytest.mark.parametrize(
    "rule",
    [
        {"warn_days_before": None, "warn_ratio": None},
        {"warn_days_before": 1, "warn_ratio": Decimal("0.5")},
        {"warn_days_before": None, "warn_ratio": Decimal("1.00")},
        {"warn_days_before": 0, "warn_ratio": None},
    ],
)
def test_exactly_one_valid_warning_rule(centre, rule):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItemFactory(power=centre.power, **rule)


def test_fee_difference_must_be_justified(centre):
    case, _ = centre.decided()
    with pytest.raises(IntegrityError), transaction.atomic():
        FeePayment.objects.create(
            case=case,
            amount=1,
            expected_amount=50,
            receipt_no="X",
            recorded_by=centre.clerk,
            recorded_at=timezone.now(),
        )


def test_one_open_suspension_per_case(centre):
    case, _ = centre.accepted()
    services.suspend_case(case, by=centre.acceptor, kind=SuspensionKind.HEARING, reason="听证")
    with pytest.raises(IntegrityError), transaction.atomic():
        Suspension.objects.create(
            case=case, kind=SuspensionKind.OTHER, reason="x", started_at=timezone.now(), started_on=date.today(),
            max_days=1, ends_by=date.today(),
        )  # fmt: skip


def test_rating_score_range(centre):
    case, _ = centre.accepted()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(case=case, score=7)


def test_penalty_outside_band_needs_reasons_in_schema(centre):
    case, _ = centre.accepted()
    from tests.powers.factories import hangzhou_standard

    standard = hangzhou_standard()
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyDecision.objects.create(
            case=case, standard=standard, fact=1, band_order=1, band_severity="轻微", band_amount_min=50,
            band_amount_max=200, amount=5000, outside_band=True, decided_by=centre.approver,
            decided_at=timezone.now(),
        )  # fmt: skip


def test_transition_map_is_explicit_and_closed():
    targets = {t for ts in CASE_TRANSITIONS.values() for t in ts}
    assert targets <= set(CaseStatus.values)
    assert CaseStatus.COMPLETED not in CASE_TRANSITIONS and CaseStatus.REJECTED not in CASE_TRANSITIONS
    assert set(SUSPENSION_MAX_DAYS) == set(SuspensionKind.values)


def test_visible_to(centre, admin_user):
    case, _ = centre.accepted()
    assert list(Case.objects.visible_to(centre.clerk)) == [case]  # the centre's window clerks
    assert list(Case.objects.visible_to(centre.acceptor)) == [case]  # the department's staff
    assert list(Case.objects.visible_to(centre.inspector)) == [case]
    assert list(Case.objects.visible_to(admin_user)) == [case]
    assert list(Case.objects.visible_to(centre.outsider)) == []
    from django.contrib.auth.models import AnonymousUser

    assert list(Case.objects.visible_to(AnonymousUser())) == []


def test_overdue_excludes_suspended_and_closed(centre):
    late, _ = centre.accepted()
    suspended, _ = centre.accepted()
    services.suspend_case(
        suspended, by=centre.acceptor, kind=SuspensionKind.HEARING, reason="听证", now=at(2025, 3, 4)
    )
    assert list(Case.objects.overdue(date(2025, 4, 1))) == [late]
    assert list(Case.objects.overdue(date(2025, 3, 31))) == []
    annotated = {c.pk: c.is_suspended for c in Case.objects.with_suspension_flag()}
    assert annotated == {late.pk: False, suspended.pk: True}


def test_masking(centre):
    case, _ = centre.apply(applicant_name="张三丰", applicant_id_number="350203199001011234")
    assert case.masked_id_number == "3502**********1234"
    case.applicant_phone = "13812345678"
    assert case.masked_phone == "138****5678"
    case.applicant_phone = "12345"
    assert case.masked_phone == "*****"
    assert case.masked_name == "张**"
    case.applicant_name = "王五"
    assert case.masked_name == "王**"  # portal.masking: the length is not disclosed (was 王*)
    case.applicant_type, case.applicant_name = ApplicantType.ORGANISATION, "厦门某某有限公司"
    assert case.masked_name == "厦门某某有限公司"  # an organisation is named in full


def test_query_secret_scheme():
    secret = query_secret.new_secret()
    assert len(secret) == 8 and not set(secret) & set("01OIL")
    stored = query_secret.make_hash(secret)
    assert secret not in stored and stored.startswith("hmac_sha256$")
    assert query_secret.check(secret.lower(), stored)
    assert query_secret.check(f"{secret[:4]}-{secret[4:]}", stored)
    assert not query_secret.check("WRONG234", stored)
    assert not query_secret.check(secret, None)
    assert not query_secret.check(secret, "garbage")
    assert query_secret.make_hash(secret) != stored  # salted


def test_query_secret_is_keyed_and_old_digests_still_verify(settings):
    import hashlib

    secret = query_secret.new_secret()
    stored = query_secret.make_hash(secret)
    # A digest of the earlier scheme (PBKDF2, before the keyed HMAC) still verifies.
    legacy = (
        "pbkdf2_sha256$12000$abcd$" + hashlib.pbkdf2_hmac("sha256", secret.encode(), b"abcd", 12000).hex()
    )
    assert query_secret.check(secret, legacy) and not query_secret.check("WRONG234", legacy)
    # Keyed: a rotated key keeps verifying through SECRET_KEY_FALLBACKS, and fails without it.
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" * 5
    assert not query_secret.check(secret, stored)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert query_secret.check(secret, stored)
