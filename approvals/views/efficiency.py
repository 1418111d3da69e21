"""Efficiency analysis pages (效能分析): the report, its Excel export and its printable version.

Inspectors, the appraisal office and administrators see every department; a department head sees
their own. Everyone else gets the 403 page; anonymous visitors are sent to log in. The figures come
from ``approvals.efficiency`` in a constant number of queries.
"""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from portal import excel
from portal.access import RoleRequiredMixin

from .. import efficiency
from ..efficiency import COLUMNS, EfficiencyFilter, Figures, Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"count": "0", "days": "0.0", "rate": "0.0%", "per100": "0.0"}


class EfficiencyAccessView(RoleRequiredMixin, View):
    """Resolves who sees which departments (``self.scope``) and reads the filter."""

    def check_access(self, request):
        self.scope = efficiency.scope_of(request.user)  # PermissionDenied for anyone else: the 403 page
        self.form = EfficiencyFilter(request.GET, scope=self.scope)

    def build_report(self, *, items: bool) -> Report | None:
        if not self.form.is_valid():
            return None
        return efficiency.report(self.form.period(), items=items, **self.form.params())

    def title_context(self, report: Report | None) -> dict:
        """The report's heading: who (department, level or all) and when."""
        if report is None:
            return {"scope_label": "", "period_label": ""}
        if report.department is not None:
            scope_label = report.department.name
        elif report.level:
            scope_label = _("全部%(level)s单位") % {"level": report.level_display}
        else:
            scope_label = _("全部单位")
        return {"scope_label": scope_label, "period_label": report.period.label}

    def link(self, **changes) -> str:
        """The current query string with ``changes`` applied (None removes a parameter)."""
        query = self.request.GET.copy()
        for key, value in changes.items():
            query.pop(key, None)
            if value is not None:
                query[key] = str(value)
        return query.urlencode()

    def context(self, report: Report | None) -> dict:
        context = {
            "form": self.form,
            "report": report,
            "columns": COLUMNS,
            "scoped": self.scope is not None,
            "query": self.request.GET.urlencode(),
            **self.title_context(report),
        }
        if report is not None:
            context["department_rows"] = [
                (row, self.link(department=row.department_id)) for row in report.departments
            ]
            context["comparison_rows"] = [
                (label, other, figures, self.link(year=other.year, month=other.month))
                for label, other, figures in report.comparisons
            ]
            context["trend_rows"] = [
                (month, figures, self.link(year=report.period.year, month=month))
                for month, figures in report.trend
            ]
            context["all_departments_link"] = self.link(department=None)
        return context


class EfficiencyView(EfficiencyAccessView):
    """The report: departments with a totals row; a chosen department also shows its items."""

    template_name = "approvals/efficiency/report.html"

    def get(self, request):
        department_chosen = self.form.is_valid() and self.form.cleaned_data.get("department") is not None
        report = self.build_report(items=department_chosen)
        status = 200 if report is not None else 400
        return render(request, self.template_name, self.context(report), status=status)


class EfficiencyPrintView(EfficiencyView):
    """The same report on A4 landscape, with the title, the scope, the period and the time it was made."""

    template_name = "approvals/efficiency/print.html"


class EfficiencyExportView(EfficiencyAccessView):
    """The report as an Excel workbook: sheets 按单位 (with a totals row) and 按事项."""

    def get(self, request):
        report = self.build_report(items=True)
        if report is None:
            return render(request, "approvals/efficiency/report.html", self.context(None), status=400)
        heading = self.title_context(report)
        title = _("效能分析报告")
        workbook = build_workbook(report, f"{title} {heading['scope_label']} {heading['period_label']}")
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        filename = (
            f"{title}-{report.period.year}{f'-{report.period.month:02d}' if report.period.month else ''}.xlsx"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


# --- the workbook ------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="B3261E")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="F0F2F5")
THIN = Side(style="thin", color="D8DEE4")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet(workbook, name: str, labels: list[tuple[str, int]], title: str):
    """A sheet with a styled, frozen header row; ``labels`` are (label, width) of the leading columns."""
    sheet = workbook.create_sheet(name)
    header = labels + [(str(column.label), 13) for column in COLUMNS]
    excel.append(sheet, [label for label, _width in header])
    for index, (_label, width) in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font, cell.border = HEADER_FILL, HEADER_FONT, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    sheet.oddHeader.center.text = title
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    return sheet


def _append(sheet, leading: list, figures: Figures, *, total: bool = False) -> None:
    excel.append(sheet, leading + [cell.value for cell in figures.cells])
    row = sheet.max_row
    for index, column in enumerate(COLUMNS, start=len(leading) + 1):
        sheet.cell(row=row, column=index).number_format = NUMBER_FORMATS[column.kind]
    for index in range(1, len(leading) + len(COLUMNS) + 1):
        cell = sheet.cell(row=row, column=index)
        cell.border = BORDER
        if total:
            cell.font, cell.fill = TOTAL_FONT, TOTAL_FILL


def build_workbook(report: Report, title: str) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    departments = _sheet(
        workbook, _("按单位"), [(_("单位编码"), 14), (_("单位名称"), 30), (_("层级"), 10)], title
    )
    for row in report.departments:
        _append(departments, [row.code, row.name, row.level_display], row)
    _append(departments, ["", _("合计"), ""], report.total, total=True)
    items = _sheet(
        workbook,
        _("按事项"),
        [(_("单位名称"), 26), (_("事项编码"), 20), (_("事项名称"), 36), (_("类型"), 8)],
        title,
    )
    for row in report.items:
        _append(items, [row.department_name, row.code, row.name, row.kind_display], row)
    return workbook
