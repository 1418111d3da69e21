"""Excel of the appraisal: results and indicator systems out (formula-safe cells), survey results in.

The survey workbook is validated row by row; any bad row and nothing is imported, the report names
every bad row and why (``SurveyImport.errors``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from portal.excel import safe_cell
from portal.models import Department

from .choices import RaterKind
from .models import Category, Membership, Result

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def append(sheet, values) -> None:
    """``sheet.append`` with every value formula-safe (``portal.excel.safe_cell``)."""
    sheet.append([safe_cell(v) for v in values])


def response(workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    result = HttpResponse(buffer.getvalue(), content_type=XLSX)
    result["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return result


SURVEY_HEADER = ["单位编码", "评议主体", "评议得分", "参评人数"]
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_RESPONDENTS = 10_000_000


def _header(sheet, labels):
    append(sheet, labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def results_workbook(year) -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "考评结果"
    _header(
        sheet,
        [
            "考评系列",
            "名次",
            "单位编码",
            "单位",
            "内部考评得分",
            "公众评议得分",
            "总分",
            "等次",
            "可参加年度评优",
            "名次说明",
        ],
    )
    results = (
        Result.objects.filter(year=year)
        .select_related("series", "department")
        .order_by("series__order", "rank")
    )
    for r in results:
        append(
            sheet,
            [str(r.series), r.rank, r.department.code, r.department.name, float(r.internal_score),
             None if r.public_score is None else float(r.public_score), float(r.total), r.get_grade_display(),
             "是" if r.award_eligible else "否", r.rank_note],
        )  # fmt: skip
    return wb


def indicators_workbook(year) -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "指标体系"
    _header(
        sheet,
        ["考评系列", "公众评议占比", "一级指标", "一级权重", "指标编码", "二级指标", "二级权重", "方向",
         "计分规则", "目标值", "底线值", "分档", "数据来源", "计算数据源", "佐证材料要求"],
    )  # fmt: skip
    categories = (
        Category.objects.filter(series__year=year)
        .select_related("series")
        .prefetch_related("indicators")
        .order_by("series__order", "order")
    )
    for c in categories:
        for i in c.indicators.all():
            append(
                sheet,
                [str(c.series), float(c.series.public_share), c.name, float(c.weight), i.code, i.name,
                 float(i.weight), i.get_direction_display(), i.get_rule_display(),
                 None if i.target is None else float(i.target), None if i.floor is None else float(i.floor),
                 str(i.bands) if i.bands else "", i.get_source_display(), i.source_key, i.evidence],
            )  # fmt: skip
    return wb


def survey_template() -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "评议调查结果"
    _header(sheet, SURVEY_HEADER)
    append(sheet, ["SCJG", str(RaterKind.DEPUTIES.label), 92.5, 30])
    kinds = wb.create_sheet("评议主体")
    for kind in RaterKind:
        if kind != RaterKind.ONLINE:
            append(kinds, [kind.value, str(kind.label)])
    return wb


@dataclass
class SurveyImport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _kind(value) -> str | None:
    text = str(value or "").strip()
    for kind in RaterKind:
        if text in (kind.value, str(kind.label)):
            return None if kind == RaterKind.ONLINE else kind.value
    return None


def read_survey_workbook(upload, year) -> SurveyImport:
    """Parse and check every row; the online kind is not importable (it comes from the votes)."""
    out = SurveyImport()
    if getattr(upload, "size", 0) > MAX_BYTES:
        out.errors.append("文件超过 2 MB。")
        return out
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        out.errors.append("无法读取文件：请上传 .xlsx 格式的工作簿（可先下载模板）。")
        return out
    sheet = wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v or "").strip() for v in next(rows, ())][:4]
    if header != SURVEY_HEADER:
        out.errors.append(f"第1行表头应为：{'、'.join(SURVEY_HEADER)}。")
        return out
    members = dict(Membership.objects.filter(year=year).values_list("department__code", "department_id"))
    departments = Department.objects.in_bulk(list(members.values()))
    seen = set()
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            out.errors.append(f"超过 {MAX_ROWS} 行，请分批导入。")
            break
        row = list(row or ()) + [None] * 4
        code, kind_text, score_text, respondents_text = row[:4]
        if all(v in (None, "") for v in (code, kind_text, score_text, respondents_text)):
            continue
        problems = []
        code = str(code or "").strip()
        if code not in members:
            problems.append(f"单位编码「{code}」不在本年度参评单位中")
        kind = _kind(kind_text)
        if kind is None:
            problems.append(f"评议主体「{kind_text or ''}」无效（网上评议由系统统计，不导入）")
        try:
            score = Decimal(str(score_text).strip())
            if not score.is_finite() or not 0 <= score <= 100:
                raise InvalidOperation
            score = score.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            problems.append("评议得分须为 0–100 的数值")
            score = None
        try:
            respondents = float(str(respondents_text).strip())
            if (
                not math.isfinite(respondents)
                or respondents != int(respondents)
                or not 0 < respondents <= MAX_RESPONDENTS
            ):
                raise ValueError
            respondents = int(respondents)
        except (ValueError, OverflowError):
            problems.append("参评人数须为正整数")
            respondents = None
        if (code, kind) in seen and not problems:
            problems.append("与前面的行重复（同一单位、同一评议主体）")
        seen.add((code, kind))
        if problems:
            out.errors.append(f"第{number}行：" + "；".join(problems) + "。")
        else:
            out.rows.append(
                {
                    "department": departments[members[code]],
                    "kind": kind,
                    "score": score,
                    "respondents": respondents,
                }
            )
    if not out.rows and not out.errors:
        out.errors.append("文件中没有数据行。")
    return out
