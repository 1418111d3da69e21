"""State-changing verbs of the one-window service centre. Views, the API, admin and tasks call these.

Every verb is one ``transaction.atomic()``: it locks the case row, checks the transition
against ``approvals.choices.CASE_TRANSITIONS``, writes the case's trail (CaseEvent) and an
audit event, and queues the applicant's notice in the outbox (``portal.outbox``) in the same
transaction; no verb publishes to the Celery broker. Each takes an optional ``now=`` (aware
datetime) so that demos and tests can act in the past.

Errors: ``portal.services.TransitionError`` (not allowed in this state, API 409),
``PermissionDenied`` (not this user's to do, 403), ``ValidationError`` (bad input, 400).
"""

from ..permissions import allowed_actions
from .enforcement import decide_penalty, open_enforcement_case
from .intake import (
    RATE,
    TRACK,
    Submitted,
    accept_case,
    item_to_apply_for,
    mark_green_channel,
    missing_materials,
    proves,
    refuse_intake,
    reissue_secret,
    request_correction,
    submit_application,
    submit_correction,
    track,
    tracking_proofs,
)
from .items import create_service_item, import_service_items, remove_window, save_window, update_service_item
from .steps import (
    advance_step,
    complete_case,
    complete_subcase,
    decide_case,
    decision_step,
    open_parallel,
    rate_case,
    record_fee,
)
from .suspension import resume_case, suspend_case

__all__ = [
    "RATE",
    "TRACK",
    "proves",
    "tracking_proofs",
    "Submitted",
    "accept_case",
    "allowed_actions",
    "advance_step",
    "complete_case",
    "complete_subcase",
    "create_service_item",
    "import_service_items",
    "decide_case",
    "decide_penalty",
    "decision_step",
    "mark_green_channel",
    "missing_materials",
    "open_enforcement_case",
    "open_parallel",
    "rate_case",
    "record_fee",
    "refuse_intake",
    "remove_window",
    "reissue_secret",
    "request_correction",
    "resume_case",
    "save_window",
    "item_to_apply_for",
    "submit_application",
    "submit_correction",
    "suspend_case",
    "track",
    "update_service_item",
]
