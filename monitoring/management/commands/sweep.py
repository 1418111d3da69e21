from django.core.management.base import BaseCommand

from monitoring.services.sweep import run_sweep


class Command(BaseCommand):
    help = "Run the supervision sweep once: raise due reminders (时限提示) and overdue alarms (超时报警)."

    def handle(self, *args, **options):
        result = run_sweep()
        stale = "；另记录扫描停滞报警" if result.stale_alert else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"扫描完成：时限提示 {result.reminders} 条，超时报警 {result.alarms} 条，"
                f"耗时 {result.duration_ms} ms{stale}。"
            )
        )
