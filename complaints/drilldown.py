"""The drill-down of one complaint for the supervisory organ: one chain across the apps.

The case it is about (trail and timers, through ``approvals.drilldown``), the power it was exercised
under with its flowchart, the risk grades on that power's steps (``risks.catalogue.step_grades``), and the earlier alerts of the officials who handled the case (``monitoring.alerts``).
Reads the other apps only through their published functions.
"""

from monitoring import alerts, timers


def timers_of(complaint) -> list:
    return list(timers.for_target(complaint))


def _step_grades(power_id) -> dict | None:
    """``{flow step id: "A"|"B"|"C"}`` from the risks app's catalogue, or None before it publishes one."""
    try:
        from risks.catalogue import step_grades
    except ImportError:
        return None
    return step_grades(power_id)


def for_complaint(complaint) -> dict:
    from approvals.drilldown import case_summary

    case = case_summary(complaint.case_code) if complaint.case_code else None
    power = complaint.power
    power_id = power.pk if power else (case or {}).get("power_id")
    if power is None and power_id:
        from powers.models import Power

        power = Power.objects.filter(pk=power_id).select_related("department").first()
    grades = _step_grades(power_id) if power_id else None
    steps = []
    if case and grades is not None:
        steps = [{**step, "grade": grades.get(step["flow_step_id"], "")} for step in case["steps"]]
    return {
        "case": case,
        "case_missing": bool(complaint.case_code) and case is None,
        "power": power,
        "risk_grades": grades,  # None: the risks app publishes no catalogue (yet)
        "risk_steps": steps,  # the case's steps with the highest risk grade on each
        "risk_counts": {g: sum(1 for v in (grades or {}).values() if v == g) for g in "ABC"},
        "alerts": alerts.for_people(case["handler_ids"]) if case else [],
    }
