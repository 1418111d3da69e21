"""The monthly report as an Excel workbook (formula-safe cells; no reporter data, by construction)."""

from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.excel import safe_cell

from .indicators import INDICATORS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_workbook(year: int, month: int, rows: list[dict]) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}-{month:02d}"
    header = ["单位编码", "单位"] + [f"{label}（{unit}）" for _name, label, unit in INDICATORS] + ["等级"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        department = row["department"]
        values = [department.code, department.name] + [row[name] for name, _label, _unit in INDICATORS]
        sheet.append([safe_cell(v) for v in values + [str(row["grade_label"])]])
    sheet.column_dimensions["B"].width = 28
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="complaints-{year}-{month:02d}.xlsx"'
    return response
