"""Pages of the one-window service centre: public (guide, apply, track) and the staff desk."""

from .case import CaseView, IdNumberView, MaterialDownloadView, NoticeView
from .desk import DeskView, EnforcementNewView, IntakeReceiptView, IntakeView
from .public import (
    ApplyView,
    CorrectView,
    ItemDetailView,
    ItemListView,
    RateView,
    ReceiptView,
    TrackLeaveView,
    TrackView,
)

__all__ = [
    "ApplyView",
    "CaseView",
    "IdNumberView",
    "CorrectView",
    "DeskView",
    "EnforcementNewView",
    "IntakeReceiptView",
    "IntakeView",
    "ItemDetailView",
    "ItemListView",
    "MaterialDownloadView",
    "NoticeView",
    "RateView",
    "ReceiptView",
    "TrackLeaveView",
    "TrackView",
]
