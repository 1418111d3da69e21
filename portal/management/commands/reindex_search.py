"""Rebuild the public search's documents of every registered kind (after a bulk load or an upgrade)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import search


class Command(BaseCommand):
    help = "重建公共检索索引（权力事项、裁量基准、办事指南）"

    def handle(self, *args, **options):
        with transaction.atomic():
            written = search.reindex_all(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"indexed {sum(written.values())} documents"))
