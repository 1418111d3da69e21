"""The door other apps use to hand the inspection office a piece of risk information.

``record_information(source=…, source_ref=…, title=…, content=…, department=…, person=None, power=None)``
turns, for example, a corruption clue found in a complaint into risk information waiting for the
office's assessment (信息收集). It is idempotent per ``(source, source_ref)``: calling it again for
the same complaint returns the same information. Returns ``(information_id, number, created)``.

    from risks.intake import record_information
    info_id, number, created = record_information(
        source="complaint", source_ref=str(complaint.pk), title=complaint.title,
        content=complaint.text, department=complaint.department,
    )

``source`` is one of ``risks.choices.InformationSource`` values ("complaint", "audit", "inspection",
"alert", "manual"); ``department`` a portal Department; ``person`` an optional user named by the
clue; ``power`` an optional powers Power. The caller's transaction is joined; the audit event names
the system as the actor (``by`` may be given when a person turns it over by hand; it must then be
the inspection office). ``now`` back-dates the record (demo data). A missing ``department`` is a
ValidationError.
"""

from . import services


def record_information(
    *,
    source: str,
    title: str,
    content: str,
    department,
    source_ref: str = "",
    person=None,
    power=None,
    by=None,
    now=None,
) -> tuple[int, str, bool]:
    if department is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"department": "风险信息须指明涉及单位。"})
    info, created = services.record_information(
        by=by,
        source=source,
        source_ref=source_ref,
        title=title,
        content=content,
        department=department,
        person=person,
        power=power,
        now=now,
    )
    return info.pk, info.number, created
