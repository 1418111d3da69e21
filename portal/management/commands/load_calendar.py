"""Load one year's official holiday schedule (节假日安排) into the override table.

See ``Command.help`` for the file format; portal/calendars/2027.example.json is a template.
"""

import json
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal import workdays
from portal.admin_audit import reason_of

FORMAT_HELP = """
Loads a year's official schedule (国务院办公厅关于某年部分节假日安排的通知) from a JSON file and
replaces every override of that year (reloading the same file changes nothing). File format:

  {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）",
    "holidays": [                          # days off, ranges inclusive; weekends inside may be listed
      {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
      {"name": "清明节", "date": "2027-04-05"}
    ],
    "workdays": [                          # swapped working weekend days (调休上班)
      {"name": "春节调休上班", "date": "2027-02-20"}
    ]
  }

Every date must fall in "year"; a date may not be both a holiday and a working day. All other
dates of the year follow the weekend rule. Template: portal/calendars/2027.example.json.
"""


def _parse_day(value, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"{where}: 日期格式应为 YYYY-MM-DD，收到 {value!r}") from exc


def _expand(entries, key: str) -> list[tuple[date, str]]:
    if not isinstance(entries, list):
        raise CommandError(f'"{key}" 应为列表')
    days = []
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise CommandError(f"{where}: 应为对象")
        name = str(entry.get("name", ""))
        if "date" in entry:
            days.append((_parse_day(entry["date"], where), name))
            continue
        if "from" not in entry or "to" not in entry:
            raise CommandError(f'{where}: 需要 "date" 或 "from"/"to"')
        first, last = _parse_day(entry["from"], where), _parse_day(entry["to"], where)
        if last < first:
            raise CommandError(f"{where}: 结束日期早于开始日期")
        days.extend((first + timedelta(days=n), name) for n in range((last - first).days + 1))
    return days


def parse_schedule(text: str) -> dict:
    """Parse and check a schedule file; returns the arguments of ``workdays.replace_year``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise CommandError('文件须为对象且含整数 "year"')
    return {
        "year": data["year"],
        "source": str(data.get("source", "")),
        "holidays": _expand(data.get("holidays", []), "holidays"),
        "workdays": _expand(data.get("workdays", []), "workdays"),
    }


class Command(BaseCommand):
    help = FORMAT_HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON schedule file (see the format above)")
        parser.add_argument(
            "--reason",
            default="",
            help="why a reload changes dates already past (required then; kept in the audit trail)",
        )

    def handle(self, *args, file, reason="", **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取 {path}: {exc}") from exc
        schedule = parse_schedule(text)
        year = schedule.pop("year")
        try:
            workdays.replace_year(year, reason=reason, **schedule)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(reason_of(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}: {len(schedule['holidays'])} 个休息日、{len(schedule['workdays'])} 个调休上班日已载入。"
            )
        )
