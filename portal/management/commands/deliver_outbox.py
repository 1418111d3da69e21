"""``manage.py deliver_outbox``: send the outbox's pending messages that are due now (beat does it every minute)."""

from django.core.management.base import BaseCommand

from portal import outbox


class Command(BaseCommand):
    help = "发送待发消息（到期的待发送消息；失败的按退避时间重试）。"

    def handle(self, *args, **options):
        counts = outbox.deliver_pending()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
