"""Excel for risk points: the downloadable import template, the all-or-nothing import, the catalogue export.

Import: a department fills the template (one risk point per row) and uploads it. Every row is
validated first (power of the department by its uniform code, step by its order in that power's
flowchart, post by its code, the choices by their Chinese labels or codes, scores 1–5); any error
means nothing is imported and the page lists every error by row and column. A clean file is
declared row by row through ``services.declare_point`` inside one transaction, so a failure on the
last row still leaves nothing half-imported. Export: every text cell goes through
``portal.excel.safe_cell`` (no formula injection).
"""

import io
import os
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from portal.excel import safe_cell
from portal.models import Post
from powers.models import FlowStep, Power

from . import services
from .choices import SCORE_FIELDS, SCORE_MAX, SCORE_MIN, DiscoverySource, Holder, RiskType

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000

COLUMNS = [
    ("power", "权力事项统一编码"),
    ("step", "流程环节序号"),
    ("post", "岗位编码"),
    ("title", "风险点"),
    ("risk_type", "风险类型"),
    ("source", "查找方式"),
    ("holder", "行使主体"),
    ("description", "风险表现"),
    ("measures", "防控措施"),
    ("responsible_name", "责任人"),
    ("commitment", "廉洁自律承诺"),
    ("separation_rules", "内部牵制与岗位分离"),
    ("likelihood", "发生可能性(1-5)"),
    ("harm", "危害程度(1-5)"),
    ("frequency", "行使频率(1-5)"),
    ("discretion", "裁量空间(1-5)"),
]
REQUIRED = {
    "power",
    "post",
    "title",
    "risk_type",
    "source",
    "description",
    "measures",
    "responsible_name",
    *SCORE_FIELDS,
}
MAX_LENGTHS = {"title": 120, "responsible_name": 40, "description": 5000, "measures": 5000, "commitment": 5000,
               "separation_rules": 5000}  # fmt: skip
CHOICES = {"risk_type": RiskType, "source": DiscoverySource, "holder": Holder}


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row, column label, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def template(department) -> bytes:
    """The import template: the header row, one example row and a sheet of valid values."""
    book = Workbook()
    sheet = book.active
    sheet.title = "风险点"
    sheet.append([label for _, label in COLUMNS])
    power = Power.objects.filter(department=department, is_current=True).order_by("code").first()
    post = Post.objects.filter(department=department).order_by("code").first()
    sheet.append([
        power.code if power else "XK-XXXX-0001", 1, post.code if post else "SL", "受理环节故意刁难",
        str(RiskType.OPERATIONAL.label), str(DiscoverySource.SELF.label), str(Holder.STAFF.label), "对符合条件的申请故意拖延",
        "一次性告知；限时办结", "张三", "不收受服务对象财物", "受理与审核分离", 3, 3, 3, 3,
    ])  # fmt: skip
    values = book.create_sheet("可选值")
    values.append(
        ["风险类型", "查找方式", "行使主体", "岗位编码", "岗位名称", "权力事项统一编码", "权力名称"]
    )
    posts = list(Post.objects.filter(department=department).order_by("code").values_list("code", "name"))
    powers = list(
        Power.objects.filter(department=department, is_current=True)
        .order_by("code")
        .values_list("code", "name")
    )
    rows = max(len(RiskType), len(DiscoverySource), len(Holder), len(posts), len(powers))
    for i in range(rows):
        values.append([
            str(list(RiskType)[i].label) if i < len(RiskType) else None,
            str(list(DiscoverySource)[i].label) if i < len(DiscoverySource) else None,
            str(list(Holder)[i].label) if i < len(Holder) else None,
            *(posts[i] if i < len(posts) else (None, None)),
            *(safe_cell(v) for v in (powers[i] if i < len(powers) else (None, None))),
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check_file(upload) -> None:
    name = os.path.basename(getattr(upload, "name", "") or "")
    if not name.lower().endswith(".xlsx"):
        raise ValidationError("请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(f"文件超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB 的上限。")
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise ValidationError("文件内容不是有效的 Excel (.xlsx) 文件。")


def _choice(value, choices):
    text = str(value).strip()
    for choice in choices:
        if text in (choice.value, str(choice.label)):
            return choice.value
    return None


def _read_rows(upload):
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ValidationError("无法读取该 Excel 文件，请使用下载的模板。") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    expected = [label for _, label in COLUMNS]
    if header[: len(expected)] != expected:
        raise ValidationError("表头与模板不一致，请使用下载的模板，不要增删或调整列。")
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(f"一次最多导入 {MAX_IMPORT_ROWS} 行。")
        if row is None or all(c in (None, "") for c in row):
            continue
        yield number, list(row) + [None] * (len(COLUMNS) - len(row))


def validate(upload, department) -> tuple[list, list]:
    """Parse and validate every row; returns ``(rows as verb arguments, errors)``."""
    _check_file(upload)
    powers = {p.code: p for p in Power.objects.filter(department=department, is_current=True)}
    posts = {p.code: p for p in Post.objects.filter(department=department)}
    steps = {
        (s.flowchart.power_id, s.order): s
        for s in FlowStep.objects.filter(flowchart__power__in=powers.values()).select_related("flowchart")
    }
    labels = dict(COLUMNS)
    good, errors = [], []
    for number, row in _read_rows(upload):
        raw = {name: row[i] for i, (name, _label) in enumerate(COLUMNS)}
        values, row_errors = {}, []

        def err(name, message, number=number, row_errors=row_errors):
            row_errors.append((number, labels[name], message))

        for name in REQUIRED:
            if raw[name] in (None, ""):
                err(name, "必填")
        for name, limit in MAX_LENGTHS.items():
            text = "" if raw[name] is None else str(raw[name]).strip()
            if len(text) > limit:
                err(name, f"不能超过 {limit} 个字")
            values[name] = text
        power = powers.get(str(raw["power"] or "").strip())
        if raw["power"] not in (None, "") and power is None:
            err("power", "不是本单位的现行权力事项")
        values["power"] = power
        post = posts.get(str(raw["post"] or "").strip())
        if raw["post"] not in (None, "") and post is None:
            err("post", "不是本单位的岗位编码")
        values["post"] = post
        values["step"] = None
        if raw["step"] not in (None, "") and power is not None:
            try:
                order = int(str(raw["step"]).strip())
            except ValueError:
                order = None
            step = steps.get((power.pk, order))
            if step is None:
                err("step", "该权力事项的流程图没有这个环节序号")
            values["step"] = step
        for name, choices in CHOICES.items():
            if raw[name] in (None, ""):
                values[name] = Holder.STAFF if name == "holder" else None
                continue
            values[name] = _choice(raw[name], choices)
            if values[name] is None:
                err(name, "不是可选值之一（见模板“可选值”表）")
        for name in SCORE_FIELDS:
            value = raw[name]
            if value in (None, ""):
                continue
            try:
                number_value = float(str(value).strip())
            except ValueError:
                number_value = None
            if (
                number_value is None
                or number_value != int(number_value)
                or not SCORE_MIN <= number_value <= SCORE_MAX
            ):
                err(name, f"应为 {SCORE_MIN} 至 {SCORE_MAX} 的整数")
            else:
                values[name] = int(number_value)
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append((number, values))
    if not good and not errors:
        errors.append((None, "", "文件中没有数据行。"))
    return good, errors


def import_points(upload, *, by, department) -> ImportResult:
    """All or nothing: every row valid and declared, or none (the errors say which rows and why)."""
    from portal.services import require

    from . import permissions

    require(permissions.can_declare(by, department), "只有本单位工作人员可以导入本单位的风险点。")
    result = ImportResult()
    try:
        rows, result.errors = validate(upload, department)
    except ValidationError as exc:
        result.errors = [(None, "", message) for message in exc.messages]
        return result
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, values in rows:
                try:
                    result.created.append(services.declare_point(by=by, department=department, **values))
                except ValidationError as exc:
                    result.errors.extend((number, "", m) for m in exc.messages)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = []
    return result


class _Rollback(Exception):
    pass


def export_catalogue(points) -> bytes:
    """The risk-grade catalogue as .xlsx, every cell formula-safe."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("风险等级目录")
    sheet.append(["风险点编号", "单位", "权力事项统一编码", "权力事项", "流程环节", "岗位", "风险点", "风险类型",
                  "风险表现", "防控措施", "发生可能性", "危害程度", "行使频率", "裁量空间", "加权评分", "风险等级"])  # fmt: skip
    for p in points.iterator(chunk_size=2000):
        sheet.append([safe_cell(v) for v in (
            p.code, p.department.name, p.power.code, p.power.name, p.step.name if p.step_id else "", p.post.name,
            p.title, p.get_risk_type_display(), p.description, p.measures, p.likelihood, p.harm, p.frequency,
            p.discretion, float(p.score), p.get_grade_display(),
        )])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
