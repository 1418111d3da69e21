"""The verbs of the case page, as one table of ``portal.actions.Verb`` rows named as in ``approvals.permissions``.

The page offers only what each row's ``can_<verb>(user, case)`` permits; whatever is posted is still
decided by the verb itself (the page's offer is a convenience, not the check). The few adapters
below only reshape a form's data for its verb, or keep what the success message needs.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.actions import Verb
from portal.forms import ReasonForm

from .. import permissions, services
from ..forms import (
    CompleteSubcaseForm,
    DecideForm,
    OpenParallelForm,
    OpinionForm,
    PenaltyForm,
    RecordFeeForm,
    RequestCorrectionForm,
    ResumeForm,
    SuspendForm,
    WindowCorrectionForm,
)
from ..models import fee_total_of
from .common import due_text

# The session key of a reissued query secret: shown once on the case page, then forgotten.
REISSUED = "approvals.reissued"


def _with_case(case) -> dict:
    return {"case": case}


def _correction_form(case) -> dict:
    """The materials of the open correction notice come first, highlighted."""
    notice = next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)
    missing = {entry.get("material") for entry in notice.missing} if notice else set()
    return {"item": case.item, "missing_ids": missing}


def _advance(case, *, by, opinion):
    """Advance the current step; returns ``(the step done, the case)`` for the message."""
    done = case.current_step
    return done, services.advance_step(case, by=by, opinion=opinion, step=done)


def _advanced(case, result) -> str:
    done, case = result
    if case.current_step_id:
        return _("「%(done)s」已办理，转入「%(next)s」（%(post)s）。") % {
            "done": done.name,
            "next": case.current_step.name,
            "post": case.current_post or _("本单位"),
        }
    return _("「%(done)s」已办理，流程环节均已完成。") % {"done": done.name}


def _penalty_decided(case, penalty) -> str:
    message = _("已作出处罚决定：%(penalty)s。") % {"penalty": penalty}
    if penalty.outside_band:
        message += _("决定金额超出裁量基准，已记录说明理由和集体讨论记录，并纳入电子监察。")
    return message


def _resume(case, *, by, note):
    """Resume the clock; returns ``(the ledger entry, the case with its new due date)``."""
    entry = services.resume_case(case, by=by, note=note)
    case.refresh_from_db(fields=["due_on", "due_provisional"])
    return entry, case


def _resumed(case, result) -> str:
    entry, case = result
    return _("已恢复计时：暂停 %(days)d 个工作日，法定办结日期顺延至 %(due)s。") % {
        "days": entry.working_days or 0,
        "due": due_text(case),
    }


# Display order on the page: intake first, then the step, the decision, money, closing, the rest.
# A penalty through the calculator comes before the other decisions (不予处罚…): it is the one shown open.
# ``primary``: the case's next step in its workflow; the first such form on the page is shown open.
VERBS = {
    permissions.ACCEPT: Verb(
        gettext_lazy("受理"), None, permissions.can_accept, services.accept_case,
        submit_label=gettext_lazy("受理并开始计时"), primary=True,
        message=lambda _case, case: _("已受理 %(code)s，法定办结日期 %(due)s。")
        % {"code": case.code, "due": due_text(case)},
    ),
    permissions.REQUEST_CORRECTION: Verb(
        gettext_lazy("一次性告知补正"), RequestCorrectionForm, permissions.can_request_correction,
        services.request_correction, submit_label=gettext_lazy("发出补正通知"), form_kwargs=_with_case,
        arguments=lambda case, form: {"missing": form.cleaned_data["entries"], "note": form.cleaned_data["note"]},
        message=gettext_lazy("已一次性告知申请人补正，可打印补正通知书。"),
    ),
    permissions.CORRECT: Verb(
        gettext_lazy("收取补正材料"), WindowCorrectionForm, permissions.can_correct, services.submit_correction,
        submit_label=gettext_lazy("登记补正材料"), primary=True, form_kwargs=_correction_form,
        arguments=lambda case, form: {"files": form.uploads(), "paper_materials": form.paper()},
        message=gettext_lazy("补正材料已登记，办件回到待受理。"),
    ),
    permissions.REFUSE: Verb(
        gettext_lazy("不予受理"), ReasonForm, permissions.can_refuse, services.refuse_intake, danger=True,
        submit_label=gettext_lazy("不予受理"), message=gettext_lazy("已作出不予受理决定，可打印不予受理通知书。"),
    ),
    permissions.ADVANCE: Verb(
        gettext_lazy("办理本环节"), OpinionForm, permissions.can_advance, _advance,
        submit_label=gettext_lazy("完成本环节，转下一环节"), primary=True, message=_advanced,
    ),
    permissions.DECIDE_PENALTY: Verb(
        gettext_lazy("裁量处罚决定"), PenaltyForm, permissions.can_decide_penalty, services.decide_penalty,
        submit_label=gettext_lazy("作出处罚决定"), primary=True, form_kwargs=_with_case, message=_penalty_decided,
    ),
    permissions.DECIDE: Verb(
        gettext_lazy("作出决定"), DecideForm, permissions.can_decide, services.decide_case,
        submit_label=gettext_lazy("作出决定"), primary=True, form_kwargs=_with_case,
        message=lambda _case, case: _("已作出决定：%(decision)s。") % {"decision": case.get_decision_display()},
    ),
    permissions.OPEN_PARALLEL: Verb(
        gettext_lazy("发起并联审批"), OpenParallelForm, permissions.can_open_parallel, services.open_parallel,
        submit_label=gettext_lazy("发起会签"), form_kwargs=_with_case,
        arguments=lambda case, form: {**form.cleaned_data, "departments": list(form.cleaned_data["departments"])},
        message=lambda _case, subs: _("已向 %(n)d 个单位发起会签，全部提出意见后继续办理。") % {"n": len(subs)},
    ),
    permissions.COMPLETE_SUBCASE: Verb(
        gettext_lazy("提交会签意见"), CompleteSubcaseForm, permissions.can_complete_subcase,
        services.complete_subcase, submit_label=gettext_lazy("提交会签意见"), primary=True,
        message=gettext_lazy("会签意见已提交。"),
    ),
    permissions.RECORD_FEE: Verb(
        gettext_lazy("统一收费"), RecordFeeForm, permissions.can_record_fee, services.record_fee,
        submit_label=gettext_lazy("登记收费"), primary=True, initial=lambda case: {"amount": fee_total_of(case)},
        message=lambda _case, payment: _("已收费 %(amount)s 元，票据号 %(no)s。")
        % {"amount": payment.amount, "no": payment.receipt_no},
    ),
    permissions.COMPLETE: Verb(
        gettext_lazy("办结"), None, permissions.can_complete, services.complete_case,
        submit_label=gettext_lazy("办结并送达结果"), primary=True,
        message=lambda _case, case: _("已办结。") + (_("按时办结。") if case.on_time else _("超过法定时限办结。")),
    ),
    permissions.SUSPEND: Verb(
        gettext_lazy("暂停计时"), SuspendForm, permissions.can_suspend, services.suspend_case,
        submit_label=gettext_lazy("暂停计时"),
        message=lambda _case, entry: _("已暂停计时（%(kind)s），最迟 %(by)s 恢复。")
        % {"kind": entry.get_kind_display(), "by": entry.ends_by},
    ),
    permissions.RESUME: Verb(
        gettext_lazy("恢复计时"), ResumeForm, permissions.can_resume, _resume,
        submit_label=gettext_lazy("恢复计时"), primary=True, message=_resumed,
    ),
    permissions.GREEN_CHANNEL: Verb(
        gettext_lazy("纳入绿色通道"), ReasonForm, permissions.can_green_channel, services.mark_green_channel,
        submit_label=gettext_lazy("纳入绿色通道"), message=gettext_lazy("已纳入绿色通道，优先办理。"),
    ),
    permissions.REISSUE_SECRET: Verb(
        gettext_lazy("重置查询密码"), None, permissions.can_reissue_secret, services.reissue_secret,
        submit_label=gettext_lazy("重置查询密码"),
        message=gettext_lazy("已重置查询密码，原密码作废。新密码只显示这一次，请交给申请人。"),
    ),
}  # fmt: skip
