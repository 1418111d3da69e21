"""Load the demo data: ``manage.py seed_demo [--scale small|city] [--if-empty] [--force]``.

Each app of the chain may ship a ``demo`` package (``<app>/demo/__init__.py``) with ``seed(scale, stdout)``; they
run in INSTALLED_APPS order (portal first: departments, posts, demo logins), so
the kernel needs no import of the apps it seeds.
"""

import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import bulk, maintenance, search
from portal.models import Department


class Command(BaseCommand):
    help = "加载演示数据（演示账号密码取自 DEMO_PASSWORD，默认 demo）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "city"],
            default="small",
            help="small: a demo city; city: the seeds' figures (≈8,000 powers)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo data is already loaded"
        )
        parser.add_argument(
            "--force", action="store_true", help="allow running against a production configuration"
        )

    def handle(self, *args, **options):
        with bulk.loading():  # an operator's bulk load: portal.bulk may check foreign keys per column
            self.seed(**options)

    def seed(self, *, scale, if_empty, force, **options):
        if getattr(settings, "PRODUCTION", False) and not force:
            raise CommandError("拒绝在生产配置下加载演示数据（DEBUG=0）。确需加载请加 --force。")
        if if_empty and Department.objects.exists():
            self.stdout.write("demo data already present; nothing to do")
            return
        started = time.monotonic()
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("django") or find_spec(config.name) is None:
                continue
            try:
                spec = find_spec(module_name)
            except ModuleNotFoundError:
                spec = None
            if spec is None:
                continue
            step = time.monotonic()
            self.stdout.write(f"==> {config.verbose_name} ({module_name})")
            module = import_module(module_name)
            # Small scale is one transaction per app; city scale commits in batches inside the app.
            if scale == "small":
                with transaction.atomic():
                    module.seed(scale=scale, stdout=self.stdout)
            else:
                module.seed(scale=scale, stdout=self.stdout)
            self.stdout.write(f"    {time.monotonic() - step:.1f}s")
        step = time.monotonic()
        self.stdout.write("==> public search documents")
        with transaction.atomic():
            search.reindex_all(self.stdout)  # demo modules bulk-create rows without their verbs
        self.stdout.write(f"    {time.monotonic() - step:.1f}s")
        step = time.monotonic()
        statement = maintenance.optimize_database(full=True)  # the planner's statistics for the new rows
        self.stdout.write(f"==> {statement or 'statistics'} {time.monotonic() - step:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"demo data loaded in {time.monotonic() - started:.1f}s"))
