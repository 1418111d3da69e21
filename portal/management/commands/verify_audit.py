"""``manage.py verify_audit``: recompute the audit chain; exit 1 naming the first broken event."""

import sys

from django.core.management.base import BaseCommand

from portal.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链；发现被改动或删除的事件时以非零状态退出。"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events verified"))
            return
        self.stderr.write(
            f"audit chain BROKEN at event #{report.broken_event_id}: {report.reason} "
            f"({report.checked} events verified before it)"
        )
        sys.exit(1)
