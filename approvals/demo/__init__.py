"""Demo data of the service centre: ``seed(scale, stdout)``, run by ``manage.py seed_demo`` after powers.

- ``live``: service items from the published powers, then cases in every state taken THROUGH the
  verbs with past dates (``now=``), and enforcement cases;
- ``anomalies``: the situations each anomaly rule exists for, then the rules run once;
- ``history``: about fourteen months of imported past cases (历史办件导入), in bulk, their timers
  through monitoring's bulk import (``monitoring.timers.import_past``);
- ``archive``: at city scale, the archive of hundreds of thousands of completed cases (set-based);
- ``disclosure``: every decided case's public record (双公示).
"""

from ..models import Case, ServiceItem
from .live import Demo


def seed(scale: str, stdout) -> None:
    """Service items and live cases (the same at every scale), the anomalies, the history, the disclosures."""
    from . import anomalies, disclosure, history, live

    if ServiceItem.objects.exists():
        stdout.write("    service centre already seeded")
        return
    demo = Demo(stdout)
    items = live.seed_items(demo, scale)
    if not items:
        stdout.write("    no published powers with flowcharts to make service items from; nothing seeded")
        return
    live.seed_applications(demo, items)
    enforcement = live.seed_enforcement(demo)
    found = anomalies.seed(demo, items)
    by_status = {}
    for status in Case.objects.values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    stdout.write(
        f"    {len(items)} service items, {Case.objects.count()} cases "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}), {enforcement} enforcement cases, "
        f"{demo.created_users} post holders added; anomaly alerts {found}"
    )
    history.seed_history(scale, stdout)  # about fourteen months of imported past cases (历史办件导入)
    disclosure.seed_disclosures(stdout)  # every decided case's public record (双公示)
    if scale == "city":
        from . import archive

        archive.seed_archive(stdout)  # the year before: ≈500,000 completed cases on PostgreSQL


__all__ = ["Demo", "seed"]
