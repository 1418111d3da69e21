"""Conflict of interest (防止利益冲突): declarations, recusals, and the anomaly rule.

Staff declare relations (spouse, relatives, former employer, business interests). The rule
``conflict_of_interest`` (registered with ``monitoring.rules``; switched on and off in the admin
like every rule) fires when a case's applicant matches — by document number, or by exact name
when the declaration has no number — a declared relation of someone who handled one of its steps.
It reads cases through ``approvals.parties`` (plain data). A person may record a recusal (回避)
from a matter; the recusal is audited. Imported from ``RisksConfig.ready()``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.choices import AlertLevel
from monitoring.rules import Finding, register
from portal import audit

from .choices import Relation
from .models import ConflictDeclaration, Recusal


def _changed(since):
    from approvals.parties import cases_changed_since

    return cases_changed_since(since)


def _norm(text) -> str:
    return "".join(str(text or "").split()).upper()


@register(
    "conflict_of_interest",
    "利益冲突：申请人与经办人申报的关系人一致",
    "办件申请人的证件号码（或无证件号码时的姓名）与经办人申报的配偶、亲属、原单位或关联企业一致，经办人未回避。",
    level=AlertLevel.RED,
    changed=_changed,
)
def conflict_of_interest(targets):
    from approvals.parties import case_parties

    declarations = {}
    for d in ConflictDeclaration.objects.filter(withdrawn_at__isnull=True):
        declarations.setdefault(d.person_id, []).append(d)
    if not declarations:
        return
    recused = set(Recusal.objects.exclude(matter_ref="").values_list("person_id", "matter_ref"))
    for party in case_parties(targets):
        number, name = _norm(party["applicant_id_number"]), _norm(party["applicant_name"])
        for user_id in party["handler_ids"]:
            if (user_id, party["code"]) in recused:
                continue
            for d in declarations.get(user_id, ()):
                declared_number = _norm(d.counterpart_id_number)
                hit = (declared_number and declared_number == number) or (
                    not declared_number and _norm(d.counterpart_name) == name
                )
                if hit:
                    yield Finding(
                        party["case"],
                        occurrence=f"declaration:{d.pk}",
                        title=f"利益冲突：{party['code']} 申请人为经办人申报的{d.get_relation_display()}",
                        department=party["case"].department,
                        detail=f"经办人（用户 {user_id}）申报的关系人与申请人一致，且未记录回避。",
                    )


def declare_relation(
    *, by, relation: str, counterpart_name: str, counterpart_id_number: str = "", note: str = ""
):
    """A person declares a relation of their own."""
    Relation(relation)
    name = (counterpart_name or "").strip()
    if not name:
        raise ValidationError({"counterpart_name": _("请填写对方姓名或名称。")})
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.create(
            person=by, relation=relation, counterpart_name=name[:100],
            counterpart_id_number=(counterpart_id_number or "").strip()[:40], note=(note or "").strip()[:200],
        )  # fmt: skip
        audit.record(by, "risks.conflict.declare", declaration, after={"relation": relation})
    return declaration


def withdraw_relation(declaration, *, by):
    from django.core.exceptions import PermissionDenied

    with transaction.atomic():
        declaration = ConflictDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.person_id != by.pk:
            raise PermissionDenied(_("只能撤回本人的申报。"))
        if declaration.withdrawn_at is not None:
            raise ValidationError(_("该申报已撤回。"))
        declaration.withdrawn_at = timezone.now()
        declaration.save(update_fields=["withdrawn_at"])
        audit.record(by, "risks.conflict.withdraw", declaration)
    return declaration


def record_recusal(*, by, matter: str, reason: str, matter_ref: str = "", declaration=None):
    """回避: a person records that they step aside from a matter (e.g. a case code)."""
    matter, reason = (matter or "").strip(), (reason or "").strip()
    if not matter or not reason:
        raise ValidationError(_("请填写回避事项和理由。"))
    if declaration is not None and declaration.person_id != by.pk:
        raise ValidationError({"declaration": _("只能引用本人的申报。")})
    with transaction.atomic():
        recusal = Recusal.objects.create(
            person=by, declaration=declaration, matter=matter[:200], matter_ref=(matter_ref or "").strip()[:64],
            reason=reason,
        )  # fmt: skip
        audit.record(by, "risks.recusal.record", recusal, after={"matter_ref": recusal.matter_ref})
    return recusal
