"""The drill-down of one complaint for the supervisory organ: one chain across the apps.

The case it is about (trail and timers, through ``approvals.drilldown``), the power it was exercised
under with its flowchart, the risk points on that power and step (when the risks app publishes a
lookup), and the earlier alerts of the officials who handled the case (``monitoring.alerts``).
Reads the other apps only through their published functions.
"""

from monitoring import alerts, timers


def timers_of(complaint) -> list:
    return list(timers.for_target(complaint))


def _risk_points(power_id, flow_step_id) -> list | None:
    try:
        from risks.lookups import points_for
    except ImportError:
        return None
    return list(points_for(power_id=power_id, flow_step_id=flow_step_id))


def for_complaint(complaint) -> dict:
    from approvals.drilldown import case_summary

    case = case_summary(complaint.case_code) if complaint.case_code else None
    power = complaint.power
    power_id = power.pk if power else (case or {}).get("power_id")
    if power is None and power_id:
        from powers.models import Power

        power = Power.objects.filter(pk=power_id).select_related("department").first()
    flow_step_id = (case or {}).get("current_flow_step_id")
    return {
        "case": case,
        "case_missing": bool(complaint.case_code) and case is None,
        "power": power,
        "risk_points": _risk_points(power_id, flow_step_id) if power_id else None,
        "alerts": alerts.for_people(case["handler_ids"]) if case else [],
    }
