"""The texts of a case's trail (办件轨迹), one function per entry: the verbs write them, and the
bulk history (``approvals.demo.history``) writes the same texts for the entries it imports."""

from datetime import date
from decimal import Decimal


def accepted(due_on: date) -> str:
    return f"法定办结日期 {due_on}"


def filed(power_name: str, facts: str) -> str:
    return f"{power_name}：{facts[:100]}"


def step_done(step_name: str, opinion: str, *, as_backup: bool = False) -> str:
    return f"{step_name}：{opinion.strip() or '同意'}" + ("（B岗代办）" if as_backup else "")


def decided(decision_label: str, reason: str) -> str:
    return f"{decision_label}" + (f"：{reason}" if reason else "")


def penalty_basis(standard_title: str, severity: str) -> str:
    """The decision's stated basis when the amount lies within its band."""
    return f"依据裁量基准「{standard_title}」{severity}档"


def penalty(standard, fact: Decimal, severity: str, amount: Decimal, *, outside: bool) -> str:
    note = (
        f"{standard.fact_label}{fact}{standard.fact_unit}，{severity}档，决定{amount}{standard.amount_unit}"
    )
    return note + ("（超出基准）" if outside else "")


def suspended(kind_label: str, reason: str, max_days: int, ends_by: date) -> str:
    return f"{kind_label}：{reason}（最长{max_days}个工作日，最迟{ends_by}恢复）"


def resumed(days: int, due_on: date, resume_note: str = "") -> str:
    return f"暂停{days}个工作日，法定办结日期顺延至{due_on}。{resume_note}".rstrip("。")


def fee(amount: Decimal, receipt_no: str) -> str:
    return f"实收 {amount} 元，票据号 {receipt_no}"


def completed(on_time: bool) -> str:
    return "按时办结" if on_time else "超过法定时限办结"
