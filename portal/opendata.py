"""Open data (政府数据开放): datasets with a stable schema, as CSV and JSON, and their data dictionary.

Apps register their datasets (in ``AppConfig.ready``); portal serves ``/open-data/`` (the dictionary)
and ``/open-data/<slug>.csv|json``. A dataset's fields are its schema: the column names never change
meaning, and new fields are only ever appended. Text cells are written formula-safe, so a CSV opened
in a spreadsheet never runs a cell as a formula.
"""

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

from portal.excel import safe_cell

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Field:
    name: str  # the column / JSON key: stable
    label: str  # Chinese label shown in the dictionary
    type: str  # string, integer, decimal, date, datetime, boolean
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict]]  # every public row, as {field name: value}
    order: int = 100


_datasets: dict[str, Dataset] = {}


def register(dataset: Dataset) -> None:
    _datasets[dataset.slug] = dataset


def datasets() -> list[Dataset]:
    return sorted(_datasets.values(), key=lambda d: (d.order, d.slug))


def get(slug: str) -> Dataset | None:
    return _datasets.get(slug)


def _plain(value):
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool | int | float):
        return value
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_response(fields: Iterable[Field], rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    """Rows streamed as UTF-8 CSV with a BOM (spreadsheets then read the Chinese right)."""
    fields = list(fields)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([f.name for f in fields])
        for row in rows:
            yield writer.writerow(
                ["" if (v := _plain(row.get(f.name))) is None else safe_cell(v) for f in fields]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(dataset: Dataset, rows: Iterable[dict]) -> StreamingHttpResponse:
    """``{"dataset", "schema_version", "fields", "rows": [...]}`` streamed row by row."""
    names = [f.name for f in dataset.fields]
    head = {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "schema_version": SCHEMA_VERSION,
        "fields": [{"name": f.name, "label": str(f.label), "type": f.type} for f in dataset.fields],
    }

    def chunks():
        yield json.dumps(head, ensure_ascii=False)[:-1] + ',"rows":['
        for i, row in enumerate(rows):
            item = {name: _plain(row.get(name)) for name in names}
            yield ("," if i else "") + json.dumps(item, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.json"'
    return response
