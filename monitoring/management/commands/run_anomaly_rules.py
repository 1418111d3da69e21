from django.core.management.base import BaseCommand, CommandError

from monitoring import rules


class Command(BaseCommand):
    help = (
        "Run the anomaly rules (异常规则) once: by default over what changed since the last run, "
        "with --all over every case. Alerts are raised once per occurrence, so reruns add nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="check everything (full scan)")
        parser.add_argument("--rule", action="append", dest="codes", metavar="CODE", help="only this rule")

    def handle(self, *args, all=False, codes=None, **options):
        known = {rule.code for rule in rules.registered()}
        unknown = set(codes or []) - known
        if unknown:
            raise CommandError(
                f"未知的规则：{', '.join(sorted(unknown))}（可用：{', '.join(sorted(known))}）"
            )
        if all or codes:
            counts = rules.run(codes=codes)
        else:
            counts = rules.run_incremental()
        for code, new in counts.items():
            self.stdout.write(f"{code}: {new}")
        skipped = sorted(known - set(counts) - (known - set(codes) if codes else set()))
        if skipped:
            self.stdout.write(f"未运行（已停用或出错）：{', '.join(skipped)}")
        scope = "全部办件" if all or codes else "上次运行以来变动的办件"
        self.stdout.write(
            self.style.SUCCESS(f"异常规则运行完毕（{scope}）：新增异常预警 {sum(counts.values())} 条。")
        )
