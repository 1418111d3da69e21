"""Monitoring's published door on time limits: the timer API other apps call, and the sweep.

A timer is identified by its target object and a ``purpose`` (``CASE``, ``CASE_PROMISED``,
``case_step_purpose(id)``, ``suspension_purpose(id)``… named here, never written as strings in two
apps); at most one active timer exists per pair. Apps start, pause, resume, reschedule and stop
their timers, read them with ``for_target`` / ``overdue_q``, replay history with ``import_past``,
and run the sweep (``run_sweep``: demo data, tests). Everything is re-exported from
``monitoring.services`` (``timers`` and ``sweep``), where the one copy lives.
"""

from monitoring.services.sweep import SweepResult, run_sweep
from monitoring.services.timers import (
    CASE,
    CASE_PROMISED,
    PastTimer,
    case_step_purpose,
    for_target,
    import_past,
    import_stopped,
    overdue_q,
    past_fire_times,
    pause,
    reschedule,
    resume,
    start,
    stop,
    suspension_purpose,
)

__all__ = [
    "CASE",
    "CASE_PROMISED",
    "case_step_purpose",
    "for_target",
    "import_past",
    "import_stopped",
    "overdue_q",
    "past_fire_times",
    "PastTimer",
    "pause",
    "reschedule",
    "resume",
    "run_sweep",
    "start",
    "stop",
    "suspension_purpose",
    "SweepResult",
]
