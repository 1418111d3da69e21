"""Verbs on service items (服务事项, made from confirmed powers only) and the centre's windows (窗口)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import audit, numbering
from portal.services import TransitionError, require
from powers.choices import Category
from powers.models import FlowStep, Power

from ..models import CaseMaterial, FeeItem, FeePayment, Material, ServiceItem, Window
from ..permissions import can_maintain_items, can_maintain_windows
from ..public_search import index_item

# Categories citizens apply for; penalty, coercion and inspection are started by officers instead.
APPLICABLE_CATEGORIES = {
    Category.LICENSING, Category.CONFIRMATION, Category.BENEFIT, Category.REWARD,
    Category.ADJUDICATION, Category.LEVY, Category.OTHER,
}  # fmt: skip
ITEM_FIELDS = [
    "code", "name", "department_id", "power_id", "statutory_days", "promised_days", "warn_days_before",
    "warn_ratio", "is_online", "is_active",
]  # fmt: skip


def _item_snapshot(item: ServiceItem) -> dict:
    data = {field: getattr(item, field) for field in ITEM_FIELDS}
    data["materials"] = [
        f"{m.name}（{'必需' if m.required else '非必需'}，{m.copies}份{'，' + m.note if m.note else ''}）"
        for m in item.materials.all()
    ]
    data["fees"] = [f"{f.name}：{f.amount}元（{f.basis or '无依据'}）" for f in item.fees.all()]
    data["windows"] = sorted(w.number for w in item.windows.all())
    return data


def _require_item_editor(user, department) -> None:
    require(can_maintain_items(user, department), "只有本单位工作人员或系统管理员可以维护服务事项。")


def require_flowchart(power: Power) -> None:
    if not FlowStep.objects.filter(flowchart__power=power).exists():
        raise ValidationError(
            {"power": f"权力事项「{power.name}」尚无流程图，不能办理办件（一项权力一个流程）。"}
        )


def next_item_code(power: Power) -> str:
    """FW-<power code> for a power's first item, then FW-<power code>-02, -03 … (``portal.numbering``)."""
    base = f"FW-{power.code}"

    def greatest_used() -> int:
        codes = ServiceItem.objects.filter(code__startswith=base).values_list("code", flat=True)
        suffixes = [c[len(base) + 1 :] for c in codes if c.startswith(f"{base}-")]
        numbers = [int(s) for s in suffixes if s.isdigit()] + [1 for c in codes if c == base]
        return max(numbers, default=0)

    n = numbering.next_number(f"item:{base}", gap_free=True, initial=greatest_used)
    return base if n == 1 else f"{base}-{n:02d}"


MATERIAL_FIELDS = ("name", "required", "copies", "note")
FEE_FIELDS = ("name", "amount", "basis")


def _save_children(item: ServiceItem, materials, fees) -> None:
    """Replace the item's materials and/or fees with the given rows (None: leave them).

    A row with an ``id`` of the item's own changes that row; one without is new; rows left out are
    removed. Refuses (nothing stored) removing a material that applicants have already handed in
    (make it optional instead: the cases keep pointing at it), an id of another item's row, and a fee
    without its basis (收费依据): every fee an office charges rests on a charging document.
    """
    if materials is not None:
        _replace_rows(item, Material, item.materials, list(materials), MATERIAL_FIELDS, ordered=True)
    if fees is not None:
        fees = list(fees)
        for data in fees:
            amount = data.get("amount")
            if amount is not None and Decimal(str(amount)) > 0 and not (data.get("basis") or "").strip():
                raise ValidationError(
                    {"fees": f"收费项目「{data.get('name', '')}」须写明收费依据（收费文件）。"}
                )
        _replace_rows(item, FeeItem, item.fees, fees, FEE_FIELDS)


def _replace_rows(item, model, related, rows, fields, *, ordered=False) -> None:
    existing = {row.pk: row for row in related.select_for_update()}
    kept = {data["id"] for data in rows if data.get("id")}
    foreign = kept - set(existing)
    if foreign:
        raise ValidationError({"id": f"{model._meta.verbose_name}#{min(foreign)} 不属于本服务事项。"})
    removed = [row for pk, row in existing.items() if pk not in kept]
    if model is Material and removed:
        used = list(
            CaseMaterial.objects.filter(material__in=removed)
            .order_by()
            .values_list("material__name", flat=True)
            .distinct()
        )
        if used:
            raise ValidationError(
                {"materials": f"材料「{'、'.join(sorted(used))}」已有办件提交，不能删除；可改为非必需。"}
            )
    model.objects.filter(pk__in=[row.pk for row in removed]).delete()
    for order, data in enumerate(rows, start=1):
        unknown = set(data) - {"id", *fields}
        if unknown:
            raise ValidationError(f"{model._meta.verbose_name}没有字段：{'、'.join(sorted(unknown))}。")
        row = existing.get(data.get("id")) or model(item=item)
        for field in fields:
            if field in data:
                setattr(row, field, data[field])
        if ordered:
            row.order = order
        row.full_clean(exclude=["item"])
        row.save()


def _item_fields(power: Power, fields: dict) -> dict:
    """A new item's limits, warning rule and result form, with the power's defaults filled in."""
    fields = dict(fields)
    fields.setdefault("statutory_days", power.time_limit_days)
    fields.setdefault("promised_days", power.promised_days or fields["statutory_days"])
    if fields.get("warn_ratio") is None and fields.get("warn_days_before") is None:
        fields["warn_days_before"] = 1
    if fields.get("warn_ratio") is not None:
        fields["warn_ratio"] = Decimal(str(fields["warn_ratio"]))
        fields.setdefault("warn_days_before", None)
    fields.setdefault("result_form", power.result_form)
    return fields


def create_service_item(
    power: Power, *, by, name: str = "", materials=(), fees=(), windows=(), code: str = "", **fields
) -> ServiceItem:
    """Make a service item from a confirmed power.

    ``materials``: dicts of Material fields (name, required, copies, note); ``fees``: dicts of
    FeeItem fields (name, amount, basis), none for a free item; ``fields``: statutory_days,
    promised_days (default: the power's limits), warn_days_before or warn_ratio (default: one
    working day before the limit), conditions, result_form, is_online.
    Who: the power department's staff or an administrator. Refuses a power that is not
    published (only confirmed powers may be exercised), a category citizens do not apply for,
    and a power without a flowchart.
    """
    _require_item_editor(by, power.department)
    if not Power.objects.exercisable().filter(pk=power.pk).exists():
        raise ValidationError({"power": "只有已确认公布的权力事项才能设立服务事项。"})
    if power.category not in APPLICABLE_CATEGORIES:
        raise ValidationError(
            {"power": f"「{power.get_category_display()}」类权力由执法人员立案办理，不设服务事项。"}
        )
    require_flowchart(power)
    fields = _item_fields(power, fields)
    with transaction.atomic():
        item = ServiceItem(
            code=code or next_item_code(power), name=name or power.name, department=power.department, power=power,
            **fields,
        )  # fmt: skip
        item.full_clean()
        item.save()
        _save_children(item, list(materials), list(fees))
        item.windows.set(windows)
        index_item(item)
        audit.record(by, "service_item.create", item, after=_item_snapshot(item))
    return item


def update_service_item(
    item: ServiceItem, *, by, materials=None, fees=None, windows=None, **changes
) -> ServiceItem:
    """Change an item's limits, warning rule, materials, fees, windows or availability.

    Open cases keep the limits copied at their acceptance. Refuses moving the item to another
    power or department (make a new item instead) and the same inputs ``create_service_item`` refuses.
    """
    for frozen in ("power", "power_id", "department", "department_id"):
        if frozen in changes:
            raise ValidationError({frozen: "服务事项不能改挂其他权力事项或单位，请新设事项。"})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _require_item_editor(by, item.department)
        before = _item_snapshot(item)
        if "warn_ratio" in changes and changes["warn_ratio"] is not None:
            changes["warn_ratio"] = Decimal(str(changes["warn_ratio"]))
            changes.setdefault("warn_days_before", None)
        elif changes.get("warn_days_before") is not None:
            changes.setdefault("warn_ratio", None)
        for field, value in changes.items():
            setattr(item, field, value)
        item.full_clean()
        item.save()
        _save_children(item, materials, fees)
        if windows is not None:
            item.windows.set(windows)
        index_item(item)
        audit.record(by, "service_item.update", item, before=before, after=_item_snapshot(item))
    return item


IMPORT_VERB = "service_item.import"
IMPORT_FIELDS = [
    "conditions", "result_form", "statutory_days", "promised_days", "warn_days_before", "warn_ratio",
    "is_online", "is_active",
]  # fmt: skip


def import_service_items(specs, *, by, note: str = "") -> list[int]:
    """Make many items at once (the city demo's catalogue, a migration): the rows
    ``create_service_item`` writes — the item with its code, materials, fees, windows and search
    entries — in a few bulk passes (``portal.bulk``: COPY on PostgreSQL), one audit event for the
    whole import instead of one per item.

    ``specs``: dicts of ``create_service_item``'s arguments (``power``, ``materials``, ``fees``,
    ``windows``, the fields). Refuses (nothing stored) what the verb refuses: a power that is not
    published, a category citizens do not apply for, a power without a flowchart, a fee without
    its basis. Returns the new items' ids in the order of ``specs``.
    """
    from portal import bulk, search

    from ..models import Window

    specs = list(specs)
    if not specs:
        return []
    powers = [spec["power"] for spec in specs]
    for power in powers:
        _require_item_editor(by, power.department)
    ids = [power.pk for power in powers]
    exercisable = set(Power.objects.exercisable().filter(pk__in=ids).values_list("pk", flat=True))
    charted = set(
        FlowStep.objects.filter(flowchart__power__in=ids).values_list("flowchart__power_id", flat=True)
    )
    for power in powers:
        if power.pk not in exercisable:
            raise ValidationError({"power": f"「{power.name}」未确认公布，不能设立服务事项。"})
        if power.category not in APPLICABLE_CATEGORIES:
            raise ValidationError({"power": f"「{power.name}」由执法人员立案办理，不设服务事项。"})
        if power.pk not in charted:
            require_flowchart(power)
    for spec in specs:
        for fee in spec.get("fees") or ():
            if Decimal(str(fee.get("amount") or 0)) > 0 and not (fee.get("basis") or "").strip():
                raise ValidationError(
                    {"fees": f"收费项目「{fee.get('name', '')}」须写明收费依据（收费文件）。"}
                )
    defaults = {name: ServiceItem._meta.get_field(name).get_default() for name in IMPORT_FIELDS}
    material_defaults = {name: Material._meta.get_field(name).get_default() for name in MATERIAL_FIELDS}
    with transaction.atomic():
        first = bulk.reserve_ids(ServiceItem, len(specs))
        items, materials, fees, windows, texts = [], [], [], [], []
        for offset, spec in enumerate(specs):
            spec = dict(spec)
            power = spec.pop("power")
            pk = first + offset
            item_materials = list(spec.pop("materials", ()))
            item_fees = list(spec.pop("fees", ()))
            item_windows = list(spec.pop("windows", ()))
            name = spec.pop("name", "") or power.name
            code = spec.pop("code", "") or next_item_code(power)
            fields = {**defaults, **_item_fields(power, spec)}
            items.append((pk, code, name, power.department_id, power.pk, *(fields[f] for f in IMPORT_FIELDS)))
            for order, data in enumerate(item_materials, start=1):
                row = {**material_defaults, **data}
                materials.append((pk, order, *(row[f] for f in MATERIAL_FIELDS)))
            fees.extend(
                (pk, data["name"], Decimal(str(data["amount"])), data.get("basis", "")) for data in item_fees
            )
            windows.extend(
                (pk, window.pk if isinstance(window, Window) else window) for window in item_windows
            )
            texts.append((pk, name, code, power.name))
        bulk.insert_rows(
            ServiceItem, ["id", "code", "name", "department_id", "power_id", *IMPORT_FIELDS], items
        )
        bulk.insert_rows(Material, ["item_id", "order", *MATERIAL_FIELDS], materials)
        bulk.insert_rows(FeeItem, ["item_id", *FEE_FIELDS], fees)
        through = ServiceItem.windows.through
        bulk.insert_rows(through, ["serviceitem_id", "window_id"], windows)
        search.bulk_index(
            ServiceItem, ((pk, f"{name}\n{power_name}") for pk, name, _code, power_name in texts)
        )
        search.bulk_index_documents(
            ServiceItem, ((pk, [name, code, power_name]) for pk, name, code, power_name in texts)
        )
        audit.record(
            by, IMPORT_VERB, None, after={"items": len(items), "first_id": first, "materials": len(materials),
                                          "fees": len(fees)},
            note=note or f"服务事项批量设立：{len(items)} 项（材料 {len(materials)} 条、收费 {len(fees)} 项）。",
        )  # fmt: skip
    return [first + offset for offset in range(len(specs))]


# --- the centre's windows -----------------------------------------------------------------------------

WINDOW_FIELDS = ["number", "name", "department", "is_fee_window", "is_active"]


def _window_snapshot(window: Window) -> dict:
    return {
        "number": window.number,
        "name": window.name,
        "department": window.department.code if window.department_id else None,
        "is_fee_window": window.is_fee_window,
        "is_active": window.is_active,
        "items": sorted(window.items.values_list("code", flat=True)) if window.pk else [],
    }


def save_window(window: Window | None = None, *, by, **fields) -> Window:
    """Open a window of the service centre (``window`` None) or change one: its number, name, stationed
    department, whether it is the unified fee window, whether it is in use (the lobby screen and the
    fee form list the windows in use). Who: an administrator. Audited with before and after.
    Switching a window off keeps its fee records and its place in the service guide's history.
    """
    require(can_maintain_windows(by), "只有系统管理员可以设置服务窗口。")
    unknown = set(fields) - set(WINDOW_FIELDS)
    if unknown:
        raise ValidationError(f"服务窗口没有这些字段：{'、'.join(sorted(unknown))}。")
    with transaction.atomic():
        if window is None or window.pk is None:
            row = Window(**fields)
            row.full_clean()
            row.save()
            audit.record(by, "window.create", row, after=_window_snapshot(row))
            return row
        row = Window.objects.select_for_update().get(pk=window.pk)
        before = _window_snapshot(row)
        for field, value in fields.items():
            setattr(row, field, value)
        row.full_clean()
        after = _window_snapshot(row)
        if after == before:
            return row
        row.save()
        audit.record(by, "window.update", row, before=before, after=after)
    return row


def remove_window(window: Window, *, by, reason: str) -> None:
    """Delete a window opened by mistake, with a reason; refused once a fee was recorded at it (switch
    it off instead). The service items that listed it lose it (named in the audit event)."""
    require(can_maintain_windows(by), "只有系统管理员可以设置服务窗口。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "删除窗口必须说明理由。"})
    with transaction.atomic():
        row = Window.objects.select_for_update().get(pk=window.pk)
        if FeePayment.objects.filter(window=row).exists():
            raise TransitionError(f"{row}已有收费记录，不能删除；不再使用的窗口请取消“启用”。")
        audit.record(by, "window.delete", row, before=_window_snapshot(row), note=(reason or "").strip())
        row.delete()
