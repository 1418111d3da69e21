"""State-changing verbs of the power list (清权确权 and versioning).

Every verb is one transaction: it locks the row it changes, checks the
transition against ``POWER_TRANSITIONS``, writes an audit event and reindexes
search. Views, the API, admin actions and commands all call these.

Who may do what:
- department staff (handler/head) of the power's department: declare, edit, submit, propose a revision,
  abolition, delegation or merger (each is a new declaration that goes through review);
- the legal reviewer (法制审核): approve or return with reasons;
- the administrator, acting for the government: confirm and publish.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import audit, numbering, search
from portal.services import TransitionError, check_transition, require

from . import permissions, public_search
from .choices import CATEGORY_CODE, EDITABLE_STATUSES, POWER_TRANSITIONS, ChangeKind, PowerStatus, StepKind
from .models import (
    DiscretionBand,
    DiscretionStandard,
    Flowchart,
    FlowStep,
    LegalArticle,
    LegalDocument,
    Power,
)

SNAPSHOT_FIELDS = [
    "code", "version", "name", "category", "department_id", "status", "subject", "time_limit_days",
    "promised_days", "result_form", "fee_basis", "change_kind",
]  # fmt: skip


# Fields a declaration may not change through update_draft: identity, workflow and history.
PROTECTED_FIELDS = {
    "id", "pk", "code", "version", "department", "department_id", "status", "is_current", "change_kind",
    "predecessor", "predecessor_id", "successor", "successor_id", "declared_by", "reviewed_by", "published_by",
    "published_at", "ended_at", "review_note",
}  # fmt: skip
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


def refuse_markup(values: dict) -> None:
    """Text that looks like HTML or script is refused (it is never rendered unescaped, but never stored either)."""
    errors = {
        field: "不得包含 HTML 标记或脚本。"
        for field, value in values.items()
        if isinstance(value, str) and _MARKUP.search(value)
    }
    if errors:
        raise ValidationError(errors)


def snapshot(power: Power) -> dict:
    return {field: getattr(power, field) for field in SNAPSHOT_FIELDS}


def _lock(power: Power) -> Power:
    return Power.objects.select_for_update().get(pk=power.pk)


def _require_editable(user, power: Power, what: str) -> None:
    """Refuse with 400 when the version is not a draft, with 403 when the user is not its department's staff."""
    if power.status not in EDITABLE_STATUSES:
        raise ValidationError(f"只有草稿或退回状态的事项可以编辑{what}；已公布的事项请先提出修订。")
    _require_department_staff(user, power.department)


def _require_department_staff(user, department):
    require(
        permissions.is_department_staff(user, department),
        "只有本单位工作人员可以申报或修改本单位的权力事项。",
    )


def next_code(category: str, department) -> str:
    """The next free uniform code for a department and category (XK-SCJG-0001), from ``portal.numbering``.

    A gap-free series per category and department, locked to the end of the verb's transaction, so
    two departments (or two clerks of one) declaring at once each get their own code.
    """
    prefix = f"{CATEGORY_CODE[category]}-{department.code}-"

    def greatest_used() -> int:
        codes = Power.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        return max((int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()), default=0)

    n = numbering.next_number(f"power:{prefix}", gap_free=True, initial=greatest_used)
    return numbering.format_code(prefix, None, n, 4)


def declare_power(*, by, department, name: str, category: str, legal_articles=(), **fields) -> Power:
    """Declare a new power (申报) as a draft of ``department``. Refused for other departments' staff."""
    _require_department_staff(by, department)
    refuse_markup({"name": name, **fields})
    with transaction.atomic():
        power = Power(
            code=fields.pop("code", None) or next_code(category, department),
            name=name,
            category=category,
            department=department,
            status=PowerStatus.DRAFT,
            change_kind=ChangeKind.NEW,
            declared_by=by if getattr(by, "is_authenticated", False) else None,
            **fields,
        )
        power.full_clean()
        power.save()
        power.legal_articles.set(legal_articles)
        public_search.index_power(power)
        audit.record(by, "power.declare", power, after=snapshot(power))
    return power


def update_draft(power: Power, *, by, legal_articles=None, **changes) -> Power:
    """Edit a draft or returned declaration. Published versions are changed only by revising them."""
    protected = sorted(PROTECTED_FIELDS & set(changes))
    if protected:
        raise ValidationError(f"不能通过修改草稿变更这些字段：{', '.join(protected)}。")
    refuse_markup(changes)
    with transaction.atomic():
        power = _lock(power)
        if power.status not in EDITABLE_STATUSES:
            raise ValidationError(f"「{power.get_status_display()}」的事项不能直接修改，请提出修订。")
        _require_department_staff(by, power.department)
        before = snapshot(power)
        for field, value in changes.items():
            setattr(power, field, value)
        power.full_clean()
        power.save()
        if legal_articles is not None:
            power.legal_articles.set(legal_articles)
        public_search.index_power(power)
        audit.record(by, "power.update", power, before=before, after=snapshot(power))
    return power


def submit_power(power: Power, *, by) -> Power:
    """Submit a draft for legal review (申报)."""
    with transaction.atomic():
        power = _lock(power)
        _require_department_staff(by, power.department)
        check_transition(POWER_TRANSITIONS, power.status, PowerStatus.SUBMITTED, PowerStatus, "权力事项")
        if not power.legal_articles.exists():
            raise ValidationError("申报的权力事项必须列明法律依据（具体到条款）。")
        before = snapshot(power)
        power.status = PowerStatus.SUBMITTED
        power.save(update_fields=["status", "updated_at"])
        audit.record(by, "power.submit", power, before=before, after=snapshot(power))
    return power


def approve_power(power: Power, *, by, note: str = "") -> Power:
    """Legal review passes the declaration (法制审核通过)."""
    with transaction.atomic():
        power = _lock(power)
        check_transition(POWER_TRANSITIONS, power.status, PowerStatus.APPROVED, PowerStatus, "权力事项")
        require(permissions.can_approve(by, power), "只有法制审核员可以审核权力事项。")
        before = snapshot(power)
        power.status = PowerStatus.APPROVED
        power.review_note = note
        power.reviewed_by = by
        power.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
        audit.record(by, "power.approve", power, before=before, after=snapshot(power), note=note)
    return power


def return_power(power: Power, *, by, reason: str) -> Power:
    """Return a declaration to its department with reasons (退回). A reason is required."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "退回必须说明理由。"})
    with transaction.atomic():
        power = _lock(power)
        check_transition(POWER_TRANSITIONS, power.status, PowerStatus.RETURNED, PowerStatus, "权力事项")
        require(
            permissions.can_return(by, power),
            "只有法制审核员（待审核的事项）或政府确认人员（已审核的事项）可以退回。",
        )
        before = snapshot(power)
        power.status = PowerStatus.RETURNED
        power.review_note = reason.strip()
        power.reviewed_by = by
        power.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
        audit.record(by, "power.return", power, before=before, after=snapshot(power), note=reason)
    return power


def publish_power(power: Power, *, by) -> Power:
    """The government confirms and publishes (确认公布). Ends the version(s) this one replaces."""
    with transaction.atomic():
        power = _lock(power)
        check_transition(POWER_TRANSITIONS, power.status, PowerStatus.PUBLISHED, PowerStatus, "权力事项")
        require(permissions.can_publish(by, power), "只有政府确认人员（系统管理员）可以确认公布。")
        before = snapshot(power)
        now = timezone.now()
        replaced = list(
            Power.objects.select_for_update().filter(successor=power, status=PowerStatus.PUBLISHED)
        )
        for old in replaced:
            _end_version(old, by=by, status=_ended_status(power.change_kind), now=now)
        # The new version becomes the row shown for its code.
        Power.objects.filter(code=power.code, is_current=True).exclude(pk=power.pk).update(is_current=False)
        power.status = PowerStatus.PUBLISHED
        power.is_current = True
        power.published_by = by
        power.published_at = now
        power.save(update_fields=["status", "is_current", "published_by", "published_at", "updated_at"])
        audit.record(by, "power.publish", power, before=before, after=snapshot(power))
    return power


def _ended_status(change_kind: str) -> str:
    return {
        ChangeKind.REVISION: PowerStatus.SUPERSEDED,
        ChangeKind.DELEGATION: PowerStatus.DELEGATED,
        ChangeKind.MERGER: PowerStatus.MERGED,
    }.get(change_kind, PowerStatus.SUPERSEDED)


def _end_version(old: Power, *, by, status: str, now, note: str = "") -> None:
    check_transition(POWER_TRANSITIONS, old.status, status, PowerStatus, "权力事项")
    before = snapshot(old)
    old.status = status
    old.ended_at = now
    # A revision keeps the code, so the new version becomes current; delegation and
    # merger give a new code, so the old row stays the current row for its own code.
    old.save(update_fields=["status", "ended_at", "updated_at"])
    audit.record(by, f"power.{status}", old, before=before, after=snapshot(old), note=note)


def abolish_power(power: Power, *, by, reason: str) -> Power:
    """Abolish a published power (废止). Only an administrator, with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "废止必须说明理由。"})
    with transaction.atomic():
        power = _lock(power)
        if power.status == PowerStatus.PUBLISHED:
            require(permissions.can_abolish(by, power), "只有政府确认人员（系统管理员）可以废止权力事项。")
        _end_version(power, by=by, status=PowerStatus.ABOLISHED, now=timezone.now(), note=reason)
        power.change_reason = reason
        power.save(update_fields=["change_reason"])
    return power


def _copy_version(
    source: Power, *, by, department=None, code=None, change_kind, reason: str, version=None
) -> Power:
    """A new draft carrying the source's content, flowchart and discretion standards."""
    department = department or source.department
    new = Power.objects.create(
        code=code or source.code,
        version=version or source.version + 1,
        change_kind=change_kind,
        change_reason=reason,
        name=source.name,
        category=source.category,
        department=department,
        status=PowerStatus.DRAFT,
        is_current=False,
        subject=source.subject,
        description=source.description,
        time_limit_days=source.time_limit_days,
        promised_days=source.promised_days,
        time_limit_unit=source.time_limit_unit,
        result_form=source.result_form,
        fee_basis=source.fee_basis,
        complaint_channel=source.complaint_channel,
        predecessor=source,
        declared_by=by if getattr(by, "is_authenticated", False) else None,
    )
    new.legal_articles.set(source.legal_articles.all())
    copy_flowchart(source, new, keep_posts=department == source.department)
    copy_standards(source, new)
    public_search.index_power(new)
    return new


def copy_flowchart(source: Power, target: Power, *, keep_posts: bool = True) -> None:
    chart = Flowchart.objects.filter(power=source).first()
    if chart is None:
        return
    new_chart = Flowchart.objects.create(power=target, note=chart.note)
    FlowStep.objects.bulk_create(
        FlowStep(
            flowchart=new_chart,
            order=step.order,
            name=step.name,
            kind=step.kind,
            post=step.post if keep_posts else None,
            rules=step.rules,
            duties=step.duties,
            supervision_point=step.supervision_point,
            complaint_channel=step.complaint_channel,
            time_limit_days=step.time_limit_days,
        )
        for step in chart.steps.all()
    )


def copy_standards(source: Power, target: Power) -> None:
    for standard in source.standards.prefetch_related("bands"):
        bands = list(standard.bands.all())
        standard.pk = None
        standard.power = target
        standard.save()
        for band in bands:
            band.pk = None
            band.standard = standard
        DiscretionBand.objects.bulk_create(bands)


def _require_no_pending_version(power: Power):
    # A merger's new draft names only the first merged power as predecessor; the others point at it as successor.
    pending = (
        Power.objects.filter(Q(predecessor=power) | Q(pk=power.successor_id))
        .exclude(status=PowerStatus.PUBLISHED)
        .exists()
    )
    if pending:
        raise ValidationError("该事项已有待审核或草稿状态的变更，请先处理该变更。")


def propose_revision(power: Power, *, by, reason: str) -> Power:
    """Start a revision (修订) of a published power: a new draft version under the same code."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "修订必须说明理由。"})
    with transaction.atomic():
        power = _lock(power)
        _require_department_staff(by, power.department)
        if power.status != PowerStatus.PUBLISHED:
            raise ValidationError("只有已公布的权力事项可以修订。")
        _require_no_pending_version(power)
        last_version = (
            Power.objects.filter(code=power.code).order_by("-version").values_list("version", flat=True)[0]
        )
        new = _copy_version(
            power, by=by, change_kind=ChangeKind.REVISION, reason=reason, version=last_version + 1
        )
        power.successor = new
        power.save(update_fields=["successor", "updated_at"])
        audit.record(by, "power.propose_revision", new, after=snapshot(new), note=reason)
    return new


def propose_delegation(power: Power, *, by, to_department, reason: str) -> Power:
    """Delegate a published power down a level (下放): a new draft in the lower-level department."""
    from portal.choices import LEVEL_ORDER

    if not (reason or "").strip():
        raise ValidationError({"reason": "下放必须说明理由。"})
    if LEVEL_ORDER.index(to_department.level) <= LEVEL_ORDER.index(power.department.level):
        raise ValidationError({"to_department": "下放的承接单位必须是更低一级的单位。"})
    with transaction.atomic():
        power = _lock(power)
        _require_department_staff(by, power.department)
        if power.status != PowerStatus.PUBLISHED:
            raise ValidationError("只有已公布的权力事项可以下放。")
        _require_no_pending_version(power)
        new = _copy_version(
            power,
            by=by,
            department=to_department,
            code=next_code(power.category, to_department),
            change_kind=ChangeKind.DELEGATION,
            reason=reason,
            version=1,
        )
        new.is_current = True  # a new code: its only row is its current row
        new.save(update_fields=["is_current"])
        power.successor = new
        power.save(update_fields=["successor", "updated_at"])
        audit.record(by, "power.propose_delegation", new, after=snapshot(new), note=reason)
    return new


def propose_merger(powers, *, by, name: str, reason: str) -> Power:
    """Merge several published powers of one department into a new one (合并)."""
    powers = list(powers)
    if len(powers) < 2:
        raise ValidationError("合并至少需要两项权力事项。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "合并必须说明理由。"})
    departments = {p.department_id for p in powers}
    if len(departments) != 1:
        raise ValidationError("只能合并同一单位的权力事项。")
    with transaction.atomic():
        locked = list(
            Power.objects.select_for_update().filter(pk__in=[p.pk for p in powers]).order_by("code")
        )
        lead = locked[0]
        _require_department_staff(by, lead.department)
        for p in locked:
            if p.status != PowerStatus.PUBLISHED:
                raise ValidationError(f"{p.code} 不是已公布状态，不能合并。")
            _require_no_pending_version(p)
        new = _copy_version(
            lead,
            by=by,
            code=next_code(lead.category, lead.department),
            change_kind=ChangeKind.MERGER,
            reason=reason,
            version=1,
        )
        new.name = name
        new.is_current = True
        new.save(update_fields=["name", "is_current"])
        new.legal_articles.add(*[a for p in locked for a in p.legal_articles.all()])
        public_search.index_power(new)
        for p in locked:
            p.successor = new
            p.save(update_fields=["successor", "updated_at"])
        audit.record(by, "power.propose_merger", new, after=snapshot(new), note=reason)
    return new


def save_flowchart(power: Power, *, by, steps: list[dict], note: str = "") -> Flowchart:
    """Replace a draft's flowchart with ``steps`` (dicts of FlowStep fields, in order)."""
    with transaction.atomic():
        power = _lock(power)
        _require_editable(by, power, "流程图")
        if not steps:
            raise ValidationError("流程图至少需要一个环节。")
        if sum(step.get("kind") == StepKind.DECISION for step in steps) > 1:
            raise ValidationError("一个流程图只能有一个“决定”环节。")
        chart, _ = Flowchart.objects.get_or_create(power=power)
        before = list(chart.steps.values("order", "name", "kind", "post_id", "time_limit_days"))
        chart.note = note
        chart.save()
        chart.steps.all().delete()
        objs = []
        for order, data in enumerate(steps, start=1):
            data = {k: v for k, v in data.items() if k not in ("order", "id", "flowchart")}
            refuse_markup(data)
            step = FlowStep(flowchart=chart, order=order, **data)
            step.full_clean(exclude=["flowchart"])
            if step.post_id and step.post.department_id != power.department_id:
                raise ValidationError(f"第{order}个环节的承办岗位不属于{power.department}。")
            objs.append(step)
        FlowStep.objects.bulk_create(objs)
        after = [
            {
                "order": s.order,
                "name": s.name,
                "kind": s.kind,
                "post_id": s.post_id,
                "time_limit_days": s.time_limit_days,
            }  # fmt: skip
            for s in objs
        ]
        audit.record(by, "power.flowchart", power, before={"steps": before}, after={"steps": after})
    return chart


def save_standard(
    power: Power, *, by, standard: DiscretionStandard | None = None, bands: list[dict], **fields
):
    """Create or replace a discretion standard of a draft together with its bands."""
    from .discretion import validate_bands

    with transaction.atomic():
        power = _lock(power)
        _require_editable(by, power, "裁量基准")
        validate_bands(bands)
        refuse_markup(fields)
        for band in bands:
            refuse_markup(band)
        if standard is None:
            standard = DiscretionStandard(power=power)
        elif standard.power_id != power.pk:
            raise ValidationError("裁量基准不属于该权力事项。")
        for field, value in fields.items():
            setattr(standard, field, value)
        standard.full_clean()
        standard.save()
        standard.bands.all().delete()
        DiscretionBand.objects.bulk_create(
            DiscretionBand(standard=standard, order=i, **{k: v for k, v in band.items() if k in _BAND_FIELDS})
            for i, band in enumerate(_ordered_bands(bands), start=1)
        )
        public_search.index_standard(standard)
        audit.record(by, "power.standard", power, after={"standard": standard.title, "bands": bands})
    return standard


def remove_standard(power: Power, *, by, standard: DiscretionStandard) -> None:
    """Delete a discretion standard of a draft (its bands go with it)."""
    with transaction.atomic():
        power = _lock(power)
        _require_editable(by, power, "裁量基准")
        if standard.power_id != power.pk:
            raise ValidationError("裁量基准不属于该权力事项。")
        title = standard.title
        search.forget_document(standard)
        standard.delete()
        audit.record(by, "power.standard_remove", power, before={"standard": title})


_BAND_FIELDS = {"severity", "fact_min", "fact_max", "amount_min", "amount_max", "description"}


def _ordered_bands(bands: list[dict]) -> list[dict]:
    # Same order as discretion.as_bands: an explicit "order" wins, else the given position.
    positioned = sorted(enumerate(bands, start=1), key=lambda pair: pair[1].get("order") or pair[0])
    return [band for _, band in positioned]


# --- the legal basis: legal documents and their articles --------------------------------------------
#
# What the legal-affairs office expects: once a power citing an article has left the drafting desk
# (submitted, approved, published, or a version kept as history), that article's wording is part of a
# public legal statement: "this power rests on 《X》 第十二条, which says …". Changing the text under it
# would silently rewrite every published version that cites it, so it is refused; when a law is
# amended, the new wording is entered as a new article (or a new document for a new edition) and the
# powers are revised through their own review. The same holds for the title, number and kind of a
# document whose articles are so cited, and for deleting any article or document a power or a
# discretion standard cites. Correcting the issuer and dates, and marking a document no longer in force
# (现行有效 → 失效), stay possible: they are recorded with a stated reason and never touch a power's text.

DOCUMENT_FIELDS = ["code", "title", "kind", "issuer", "issued_on", "effective_on", "is_current"]
DOCUMENT_FROZEN_WHEN_CITED = {"code", "title", "kind"}
ARTICLE_FIELDS = ["number", "label", "text"]


def _require_legal_office(by) -> None:
    require(permissions.can_maintain_legal_basis(by), "只有法制审核人员或系统管理员可以维护法律依据。")


def _citing_powers(articles):
    """Powers (any status) citing ``articles`` as legal basis or in a discretion standard."""
    return Power.objects.filter(
        Q(legal_articles__in=articles) | Q(standards__article__in=articles)
    ).distinct()


def _fixed_citations(articles) -> list[str]:
    """Codes of the powers that fix ``articles``: cited by a version past the drafting desk."""
    powers = _citing_powers(articles).exclude(status__in=EDITABLE_STATUSES).order_by("code", "version")
    return [f"{code} 第{version}版" for code, version in powers.values_list("code", "version")[:6]]


def _named(codes: list[str]) -> str:
    return "、".join(codes[:5]) + ("等" if len(codes) > 5 else "")


def _document_data(document: LegalDocument) -> dict:
    return {field: getattr(document, field) for field in DOCUMENT_FIELDS}


def _article_data(article: LegalArticle) -> dict:
    return {"document": article.document.code, **{field: getattr(article, field) for field in ARTICLE_FIELDS}}


def save_legal_document(
    document: LegalDocument | None = None, *, by, reason: str = "", **fields
) -> LegalDocument:
    """Enter a legal document (``document`` None) or correct one. See the section text for what is refused.

    A change of ``is_current`` (the document repealed or back in force) needs a stated reason.
    """
    _require_legal_office(by)
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError(f"法律依据文件没有这些字段：{'、'.join(sorted(unknown))}。")
    refuse_markup(fields)
    reason = (reason or "").strip()
    with transaction.atomic():
        if document is None:
            row = LegalDocument(**fields)
            row.full_clean()
            row.save()
            audit.record(by, "legal_document.create", row, after=_document_data(row), note=reason)
            return row
        row = LegalDocument.objects.select_for_update().get(pk=document.pk)
        before = _document_data(row)
        for field, value in fields.items():
            setattr(row, field, value)
        after = _document_data(row)
        changed = [field for field in DOCUMENT_FIELDS if after[field] != before[field]]
        if not changed:
            return row
        frozen = DOCUMENT_FROZEN_WHEN_CITED & set(changed)
        if frozen:
            cited = _fixed_citations(row.articles.all())
            if cited:
                raise TransitionError(
                    f"{row}的条文是已申报或已公布的权力事项（{_named(cited)}）的法律依据，文件编号、名称和效力层级"
                    "不能修改；法规修订或更名时请录入新文件，再对这些权力事项提出修订。"
                )
        if "is_current" in changed and not reason:
            raise ValidationError(
                {"reason": "变更文件的“现行有效”状态须说明理由（例如废止或修订的文件名称和日期）。"}
            )
        row.full_clean()
        row.save()
        audit.record(
            by, "legal_document.update", row, before={f: before[f] for f in changed},
            after={f: after[f] for f in changed}, note=reason,
        )  # fmt: skip
        return row


def remove_legal_document(document: LegalDocument, *, by, reason: str = "") -> None:
    """Delete a document and its articles; refused while any power or standard cites one of them."""
    _require_legal_office(by)
    with transaction.atomic():
        row = LegalDocument.objects.select_for_update().get(pk=document.pk)
        citing = list(_citing_powers(row.articles.all()).order_by("code").values_list("code", flat=True)[:6])
        if citing:
            raise TransitionError(
                f"{row}的条文被权力事项（{_named(citing)}）引用，不能删除；不再有效的文件请取消“现行有效”并说明理由。"
            )
        before = {**_document_data(row), "articles": [a.label for a in row.articles.all()]}
        audit.record(by, "legal_document.delete", row, before=before, note=(reason or "").strip())
        row.delete()


def save_legal_article(
    article: LegalArticle | None = None,
    *,
    by,
    document: LegalDocument | None = None,
    reason: str = "",
    **fields,
) -> LegalArticle:
    """Enter an article of ``document`` (``article`` None) or correct one; refused while the article is
    the legal basis of a power past the drafting desk (enter the amended wording as a new article)."""
    _require_legal_office(by)
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationError(f"法条没有这些字段：{'、'.join(sorted(unknown))}。")
    refuse_markup(fields)
    reason = (reason or "").strip()
    with transaction.atomic():
        if article is None:
            if document is None:
                raise ValidationError({"document": "请选择法条所属的文件。"})
            row = LegalArticle(
                document=LegalDocument.objects.select_for_update().get(pk=document.pk), **fields
            )
            row.full_clean()
            row.save()
            audit.record(by, "legal_article.create", row, after=_article_data(row), note=reason)
            return row
        row = LegalArticle.objects.select_for_update().select_related("document").get(pk=article.pk)
        before = _article_data(row)
        if document is not None and document.pk != row.document_id:
            row.document = document
        for field, value in fields.items():
            setattr(row, field, value)
        after = _article_data(row)
        changed = [field for field in after if after[field] != before[field]]
        if not changed:
            return row
        cited = _fixed_citations([row.pk])
        if cited:
            raise TransitionError(
                f"{row.document}{before['label']}是已申报或已公布的权力事项（{_named(cited)}）的法律依据，条文不能改动；"
                "法规修订后请录入新的法条，再对这些权力事项提出修订。"
            )
        row.full_clean()
        row.save()
        audit.record(
            by, "legal_article.update", row, before={f: before[f] for f in changed},
            after={f: after[f] for f in changed}, note=reason,
        )  # fmt: skip
        return row


def remove_legal_article(article: LegalArticle, *, by, reason: str = "") -> None:
    """Delete an article; refused while any power (draft included) or discretion standard cites it."""
    _require_legal_office(by)
    with transaction.atomic():
        row = LegalArticle.objects.select_for_update().select_related("document").get(pk=article.pk)
        citing = list(_citing_powers([row.pk]).order_by("code").values_list("code", flat=True)[:6])
        if citing:
            raise TransitionError(
                f"{row}被权力事项（{_named(citing)}）引用为法律依据，不能删除；草稿请先移除该依据。"
            )
        audit.record(by, "legal_article.delete", row, before=_article_data(row), note=(reason or "").strip())
        row.delete()
