"""Live figures for citizens: the home page's "what the government did" panel.

portal imports none of the apps, so each app registers a provider (in its ``AppConfig.ready``) that
returns its figures from its own published functions. ``collect()`` caches the lot for
``HOME_FIGURES_SECONDS`` in the shared cache: the home page costs the same however many cases exist,
and a failing provider costs only its own figures (logged), never the page.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)
CACHE_KEY = "portal.home.figures.v1"


@dataclass(frozen=True)
class Figure:
    """One number on the home page, optionally broken down (``parts``: label, value pairs)."""

    key: str
    label: str
    value: int | float | None
    unit: str = ""
    url: str = ""
    parts: tuple = field(default_factory=tuple)


_providers: list[tuple[int, str, Callable[[], list[Figure]]]] = []


def register(name: str, provider: Callable[[], list[Figure]], *, order: int = 100) -> None:
    """Add ``provider`` (no arguments, returns a list of Figure); registering a name again replaces it."""
    global _providers
    _providers = sorted(
        [p for p in _providers if p[1] != name] + [(order, name, provider)], key=lambda p: p[0]
    )


def compute() -> list[Figure]:
    figures = []
    for _order, name, provider in _providers:
        try:
            figures.extend(provider())
        except Exception:  # one app's failure must not take the home page down
            log.exception("home figures: provider %s failed", name)
    return figures


def collect() -> list[Figure]:
    """The figures, from the cache when fresh (labels are lazy translations: they follow the language)."""
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = compute()
        cache.set(CACHE_KEY, figures, getattr(settings, "HOME_FIGURES_SECONDS", 60))
    return figures
