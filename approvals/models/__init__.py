"""The one-window service centre (行政服务中心): service items, cases, their trail and ledgers.

One module per subject (``items``, ``cases``, ``disclosure``); every model is importable from
``approvals.models`` as before. State changes are verbs in ``approvals.services``; nothing here
changes a case's status by itself.
"""

from .cases import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseMaterial,
    CaseQuerySet,
    CaseStep,
    CorrectionNotice,
    FeePayment,
    Notification,
    PenaltyDecision,
    Rating,
    Suspension,
    fee_total_of,
)
from .disclosure import ResultDisclosure, ResultDisclosureQuerySet
from .items import (
    MAX_UPLOAD_BYTES,
    UPLOAD_EXTENSIONS,
    FeeItem,
    Material,
    ServiceItem,
    ServiceItemQuerySet,
    Window,
)

__all__ = [
    "MAX_UPLOAD_BYTES", "UPLOAD_EXTENSIONS", "Case", "CaseAccess", "CaseEvent", "CaseMaterial", "CaseQuerySet", "CaseStep", "CorrectionNotice", "FeeItem", "FeePayment",
    "Material", "Notification", "PenaltyDecision", "Rating", "ResultDisclosure", "ResultDisclosureQuerySet",
    "ServiceItem", "ServiceItemQuerySet", "Suspension", "Window", "fee_total_of",
]  # fmt: skip
