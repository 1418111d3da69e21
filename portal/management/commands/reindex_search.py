"""Rebuild every search index: the public search's documents of every registered kind and the name
indexes of the power and service lists (after a bulk load, or after an upgrade changed the tokenizer)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import bulk, search


class Command(BaseCommand):
    help = "重建公共检索索引（权力事项、裁量基准、办事指南）"

    def handle(self, *args, **options):
        with bulk.loading(), transaction.atomic():
            written = search.reindex_all(self.stdout)
            names = search.reindex_names(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"indexed {sum(written.values())} documents, {sum(names.values())} names")
        )
