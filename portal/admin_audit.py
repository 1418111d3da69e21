"""Audit for changes made in the Django admin that no service verb covers.

The organisation (departments, posts, staff profiles), accounts and their roles (group membership),
groups and API token labels are edited in the admin. ``AuditedAdminMixin`` writes one audit event per
saved object with what changed (fields and many-to-many sets, before and after), one per inline row,
and one per deletion, inside the admin's own transaction. A password never enters the trail: only the
fact that it changed.
"""

from portal import audit

HIDDEN = {"password"}


def _value(obj, field):
    if field.name in HIDDEN:
        return "…"  # compared as a whole below; the hash itself is never written
    value = getattr(obj, field.attname)
    return value if value is None or isinstance(value, bool | int) else str(value)


def snapshot(obj) -> dict:
    """Concrete fields and many-to-many sets of ``obj`` as plain JSON-able values."""
    data = {f.name: _value(obj, f) for f in obj._meta.concrete_fields}
    if "password" in data:
        data["password"] = getattr(obj, "password", "")
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
    return data


def stored_snapshot(model, pk) -> dict | None:
    if pk is None:
        return None
    obj = model._default_manager.filter(pk=pk).first()
    return snapshot(obj) if obj is not None else None


def diff(before: dict | None, after: dict) -> tuple[dict, dict]:
    before = before or {}
    changed = [k for k in after if before.get(k) != after.get(k)]
    b = {k: before.get(k) for k in changed}
    a = {k: after[k] for k in changed}
    for side in (b, a):
        if "password" in side:
            side["password"] = "（已更改）" if side is a else "（原密码）"
    return b, a


class AuditedAdminMixin:
    """Write one audit event for every add, change and delete made through this admin page."""

    audit_verb = ""  # e.g. "org.department"

    def save_model(self, request, obj, form, change):
        request._audit_before = stored_snapshot(type(obj), obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before, after = diff(getattr(request, "_audit_before", None), snapshot(obj))
        if after or not change:
            verb = f"{self.audit_verb}.{'changed' if change else 'added'}"
            audit.record(request.user, verb, obj, before=before or None, after=after)

    def save_formset(self, request, form, formset, change):
        # Inline rows (e.g. a department's posts): one event per added, changed or deleted row.
        model = formset.model
        verb = f"org.{model._meta.model_name}"
        befores = {
            f.instance.pk: stored_snapshot(model, f.instance.pk) for f in formset.forms if f.instance.pk
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                audit.record(
                    request.user, f"{verb}.deleted", deleted.instance, before=befores.get(deleted.instance.pk)
                )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _before, after = diff(None, snapshot(obj))
            audit.record(request.user, f"{verb}.added", obj, after=after)
        for obj, _fields in formset.changed_objects:
            before, after = diff(befores.get(obj.pk), snapshot(obj))
            audit.record(request.user, f"{verb}.changed", obj, before=before, after=after)

    def delete_model(self, request, obj):
        before = snapshot(obj)
        before.pop("password", None)
        audit.record(request.user, f"{self.audit_verb}.deleted", obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
