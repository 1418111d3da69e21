"""One case, as another app may read it (the complaint drill-down): plain data, no models handed out.

    case_summary(code) -> dict | None

The case's code, title, status, department, power (id), current step, due dates, its trail
(time, what, who, post, note), its steps, its timers (from monitoring) and the staff who handled it
(user ids, for their earlier alerts). Applicants' personal data is not included.
"""

from monitoring import timers

from .models import Case


def case_summary(code: str) -> dict | None:
    case = (
        Case.objects.select_related("department", "power", "current_step")
        .prefetch_related("events__post", "steps__handled_post")
        .filter(code=(code or "").strip().upper()[:30])
        .first()
    )
    if case is None:
        return None
    steps = list(case.steps.all())
    handlers = {s.handled_by_id for s in steps if s.handled_by_id}
    handlers |= {e.actor_id for e in case.events.all() if e.actor_id}
    return {
        "code": case.code,
        "url": case.get_absolute_url(),
        "title": case.title,
        "status": case.get_status_display(),
        "department": case.department.name,
        "department_id": case.department_id,
        "power_id": case.power_id,
        "current_step": case.current_step.name if case.current_step_id else "",
        "current_flow_step_id": case.current_step_id,
        "due_on": case.due_on,
        "completed_at": case.completed_at,
        "on_time": case.on_time,
        "trail": [
            {
                "at": e.at,
                "what": e.get_kind_display(),
                "who": e.actor_label,
                "post": e.post.name if e.post_id else "",
                "note": e.note,
            }
            for e in case.events.all()
        ],
        "steps": [
            {
                "name": s.name,
                "flow_step_id": s.flow_step_id,
                "started_at": s.started_at,
                "finished_at": s.finished_at,
                "post": s.handled_post.name if s.handled_post_id else "",
            }
            for s in steps
        ],
        "timers": [
            {
                "label": t.label,
                "purpose": t.purpose,
                "due_at": t.due_at,
                "stopped_at": t.stopped_at,
                "paused": t.paused_at is not None,
                "state": t.get_state_display(),
            }
            for t in timers.for_target(case)
        ],
        "handler_ids": sorted(handlers),
    }


def latest_case_code(*, with_handlers: bool = True) -> str | None:
    """The code of the most recent main case (one a citizen might complain about), or None."""
    queryset = Case.objects.filter(parent__isnull=True)
    if with_handlers:
        queryset = queryset.filter(steps__handled_by__isnull=False)
    return queryset.order_by("-submitted_at", "-id").values_list("code", flat=True).first()
