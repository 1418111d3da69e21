"""The admin's two ways of being audited, and nothing else.

1. **Through a verb** (``VerbAdminMixin``): objects with a state or a public meaning (powers, flowcharts,
   standards, legal documents and articles, service items with their materials and fees, API tokens,
   the working-day calendar, anomaly-rule switches) are saved, changed and deleted only by their
   app's service verbs, which check the permission, lock the row, refuse an illegal change and write
   the audit event. The admin's ``save_model``/``save_related``/``delete_model``/actions call the verb;
   a refusal comes back as an error message and the admin's transaction rolls back, so nothing is
   stored half-way. Fields no verb owns are read-only; Django's bulk "delete selected" is removed.
2. **Plain audited edits** (``AuditedAdminMixin``, below) for the organisation and accounts, which no
   verb covers.

The organisation (departments, posts, staff profiles), accounts and their roles (group membership),
and groups are edited in the admin. ``AuditedAdminMixin`` writes one audit event per
saved object with what changed (fields and many-to-many sets, before and after), one per inline row,
and one per deletion, inside the admin's own transaction. A password never enters the trail: only the
fact that it changed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.services import TransitionError

# What a verb raises to refuse: an illegal transition, a permission, bad input.
REFUSALS = (TransitionError, PermissionDenied, ValidationError)


def reason_of(exc) -> str:
    """A refusal as one line for an admin message."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(
                " ".join(msgs) if field == "__all__" else f"{field}: {' '.join(msgs)}"
                for field, msgs in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)


class VerbAdminMixin:
    """An admin page whose saves, deletions and actions call service verbs (see the module text).

    A verb's refusal becomes an error message (``未保存：…``) and the admin's transaction rolls back.
    ``run_verb`` runs a verb per selected object for an action, reporting each refusal by name.
    """

    def construct_change_message(self, request, form, formsets, add=False):
        # Inline rows are saved by the verb, not by the formsets: describe the form only.
        return super().construct_change_message(request, form, [], add)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would bypass the verbs' refusals
        return actions

    # Only a refusal raised once the admin has passed its own checks (the form is valid, the user may
    # change or delete) is a verb's: the admin's own PermissionDenied (no add permission…) stays a 403.
    def save_form(self, request, form, change):
        request._admin_verb_running = True
        return super().save_form(request, form, change)

    def get_deleted_objects(self, objs, request):
        request._admin_verb_running = True
        return super().get_deleted_objects(objs, request)

    def _refused(self, request, exc, label):
        if not getattr(request, "_admin_verb_running", False):
            raise exc
        request._admin_verb_running = False
        self.message_user(request, label % {"reason": reason_of(exc)}, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:
            return self._refused(request, exc, _("未保存：%(reason)s"))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as exc:
            return self._refused(request, exc, _("未删除：%(reason)s"))

    def changelist_view(self, request, extra_context=None):
        # list_editable saves call the verbs too; a refusal rolls the whole page's save back.
        try:
            return super().changelist_view(request, extra_context)
        except REFUSALS as exc:
            return self._refused(request, exc, _("未保存：%(reason)s"))

    def delete_reason(self, request) -> str:
        """The reason typed on the delete page (template ``admin/delete_with_reason.html``)."""
        from portal.forms import clean_text

        return clean_text(request.POST.get("reason", ""), max_length=500)

    def run_verb(self, request, queryset, verb, done_label) -> int:
        """Call ``verb(obj, by=request.user)`` for each selected object; one message per refusal."""
        done = 0
        for obj in queryset:
            try:
                verb(obj, by=request.user)
                done += 1
            except REFUSALS as exc:
                self.message_user(request, f"{obj}：{reason_of(exc)}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(n)d 项已%(what)s。") % {"n": done, "what": done_label}, messages.SUCCESS
            )
        return done


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
