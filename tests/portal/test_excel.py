"""portal.excel: formula-safe cells, and every Excel export goes through it."""

import ast
import pathlib

import pytest
from openpyxl import Workbook

from portal import excel

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["portal", "powers", "risks", "approvals", "complaints", "monitoring", "performance"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'])
def test_formula_starts_are_neutralised(text):
    assert excel.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "a=b", 5, -5, 1.5, None, ""])
def test_other_values_pass_unchanged(value):
    assert excel.safe_cell(value) == value


def test_append_writes_text_not_formulas():
    sheet = Workbook().active
    excel.append(sheet, ["=1+1", 3, "ok"])
    assert [c.data_type for c in sheet[1]] == ["s", "n", "s"]


def _modules_writing_workbooks():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
                     and node.module.startswith("openpyxl") for a in node.names}  # fmt: skip
            if "Workbook" in names:
                yield path, path.read_text(encoding="utf-8")


def test_every_module_writing_a_workbook_uses_portal_excel():
    """A new export that writes rows without portal.excel fails here: use excel.append / safe_cell."""
    found = list(_modules_writing_workbooks())
    assert found, "no Excel export found: is the scan still looking in the right place?"
    offenders = [
        str(path.relative_to(ROOT))
        for path, source in found
        if "portal.excel" not in source and "portal import excel" not in source
    ]
    assert not offenders, (
        f"these modules write workbooks without portal.excel (formula injection): {offenders}"
    )
