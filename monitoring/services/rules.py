"""The anomaly rules' switches (异常规则开关): the administrator's verb. The rules themselves are code,
registered with ``monitoring.rules``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.choices import AlertLevel
from monitoring.models import AnomalyRule
from monitoring.permissions import can_configure_rule
from portal import audit
from portal.services import require


def configure_rule(
    rule: AnomalyRule, *, by, enabled: bool | None = None, level: str | None = None, reason: str = ""
) -> AnomalyRule:
    """Switch an anomaly rule on or off and/or set its alert level; audited as ``monitoring.rule.changed``.

    Switching a rule off stops it watching, so it needs a stated reason (kept in the trail); switching
    it back on makes the next incremental run scan everything it missed (``monitoring.rules``).
    Refuses an unknown level. A request that changes nothing writes nothing.
    """  # fmt: skip
    require(can_configure_rule(by, rule), str(_("只有系统管理员可以启用、停用异常规则或调整其预警级别。")))
    if level is not None and level not in AlertLevel.values:
        raise ValidationError({"level": _("预警级别只能是黄色或红色。")})
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = AnomalyRule.objects.select_for_update().get(pk=rule.pk)
        before = {"enabled": locked.enabled, "level": locked.level}
        after = {
            "enabled": locked.enabled if enabled is None else bool(enabled),
            "level": locked.level if level is None else level,
        }
        if after == before:
            return locked
        if before["enabled"] and not after["enabled"] and not reason:
            raise ValidationError({"reason": _("停用异常规则须说明理由（停用期间该规则不再发现异常）。")})
        locked.enabled, locked.level = after["enabled"], after["level"]
        locked.save(update_fields=["enabled", "level", "updated_at"])
        changed = [key for key in after if after[key] != before[key]]
        audit.record(
            by,
            "monitoring.rule.changed",
            locked,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
            note=reason,
        )
        return locked
