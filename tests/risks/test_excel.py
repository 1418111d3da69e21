"""Excel import (template, row-by-row validation, all or nothing) and the formula-safe catalogue export."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from risks import excel
from risks.models import RiskPoint
from tests.powers.factories import PowerFactory
from tests.risks.factories import RiskPointFactory


def _upload(department, rows, *, header=None):
    book = load_workbook(io.BytesIO(excel.template(department)))
    sheet = book.worksheets[0]
    example = [c.value for c in sheet[2]]
    sheet.delete_rows(2)
    if header is not None:
        sheet.cell(row=1, column=1, value=header)
    for changes in rows:
        row = list(example)
        for index, value in changes.items():
            row[index] = value
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("points.xlsx", out.getvalue())


def test_a_clean_file_is_declared_as_drafts(handler, department, power, post):
    result = excel.import_points(
        _upload(department, [{}, {3: "第二个风险点", 13: 5}]), by=handler, department=department
    )
    assert result.ok and len(result.created) == 2
    assert RiskPoint.objects.filter(status="draft").count() == 2
    assert RiskPoint.objects.get(title="第二个风险点").harm == 5


def test_bad_rows_are_reported_and_nothing_is_imported(handler, department, power, post):
    rows = [
        {},
        {0: "XK-NOPE-0001"},  # not our power
        {1: 99},  # no such step
        {2: "NOPE"},  # no such post
        {4: "别的类型"},
        {12: 9, 13: "=1+1", 14: 2.5},
        {3: None},
        {3: "x" * 121},
    ]
    result = excel.import_points(_upload(department, rows), by=handler, department=department)
    assert not result.ok and not RiskPoint.objects.exists()
    by_row = {}
    for row, column, _message in result.errors:
        by_row.setdefault(row, set()).add(column)
    assert 2 not in by_row
    assert by_row[3] == {"权力事项统一编码"} and by_row[4] == {"流程环节序号"} and by_row[5] == {"岗位编码"}
    assert by_row[6] == {"风险类型"}
    assert by_row[7] == {"发生可能性(1-5)", "危害程度(1-5)", "行使频率(1-5)"}
    assert by_row[8] == {"风险点"} and by_row[9] == {"风险点"}


def test_wrong_files_are_refused(handler, department, power, post):
    for upload in (
        SimpleUploadedFile("points.csv", b"a,b"),
        SimpleUploadedFile("points.xlsx", b"not a zip"),
        _upload(department, [{}], header="别的表头"),
    ):
        result = excel.import_points(upload, by=handler, department=department)
        assert not result.ok and not RiskPoint.objects.exists()


def test_import_page(client, handler, department, power, post):
    client.force_login(handler)
    assert client.get(reverse("risks:import_template")).status_code == 200
    response = client.post(reverse("risks:import"), {"file": _upload(department, [{2: "NOPE"}])})
    assert response.status_code == 200 and "岗位编码" in response.content.decode()
    response = client.post(reverse("risks:import"), {"file": _upload(department, [{}])})
    assert response.status_code == 302 and RiskPoint.objects.count() == 1


def test_export_is_formula_safe(client, department):
    RiskPointFactory(power=PowerFactory(department=department), title='=HYPERLINK("http://x")', measures="+1")
    response = client.get(reverse("risks:export") + "?grade=B")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    row = [c.value for c in sheet[2]]
    assert '\'=HYPERLINK("http://x")' in row and "'+1" in row
