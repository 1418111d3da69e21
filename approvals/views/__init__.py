"""Pages of the one-window service centre: public (guide, apply, track) and the staff desk."""

from .case import CaseView, IdNumberView, MaterialDownloadView, NoticeView
from .desk import DeskView, EnforcementNewView, IntakeReceiptView, IntakeView
from .public import TRACKING, ApplyView, ItemDetailView, ItemListView, ReceiptView

__all__ = [
    "TRACKING",
    "ApplyView",
    "CaseView",
    "IdNumberView",
    "DeskView",
    "EnforcementNewView",
    "IntakeReceiptView",
    "IntakeView",
    "ItemDetailView",
    "ItemListView",
    "MaterialDownloadView",
    "NoticeView",
    "ReceiptView",
]
