"""The action forms of the case page: one entry per verb, named as in ``approvals.permissions``.

The page offers only what ``allowed_actions(user, case)`` permits; whatever is posted is still
decided by the verb itself (the page's offer is a convenience, not the check).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms import ReasonForm

from .. import permissions as names
from .. import services
from ..forms import (
    CompleteSubcaseForm,
    DecideForm,
    EmptyForm,
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

REISSUED = "approvals.reissued"


class CaseAction:
    """One verb as a form on the case page."""

    name = ""
    title = ""
    submit_label = gettext_lazy("确定")
    form_class = EmptyForm
    danger = False
    needs_case = False
    # The case's next step in its workflow: the first such form on the page is shown open.
    primary = False

    def make_form(self, case, data=None, files=None, **kwargs):
        if self.needs_case:
            kwargs["case"] = case
        return self.form_class(data, files, **kwargs)

    def initial_form(self, case):
        return self.make_form(case)

    def perform(self, request, case, form) -> str:
        """Call the verb with the form's cleaned data; return the success message."""
        raise NotImplementedError


class Accept(CaseAction):
    primary = True
    name = names.ACCEPT
    title = gettext_lazy("受理")
    submit_label = gettext_lazy("受理并开始计时")

    def perform(self, request, case, form):
        case = services.accept_case(case, by=request.user)
        return _("已受理 %(code)s，法定办结日期 %(due)s。") % {"code": case.code, "due": due_text(case)}


class RequestCorrection(CaseAction):
    name = names.REQUEST_CORRECTION
    title = gettext_lazy("一次性告知补正")
    submit_label = gettext_lazy("发出补正通知")
    form_class = RequestCorrectionForm
    needs_case = True

    def perform(self, request, case, form):
        data = form.cleaned_data
        services.request_correction(case, by=request.user, missing=data["entries"], note=data["note"])
        return _("已一次性告知申请人补正，可打印补正通知书。")


class Correct(CaseAction):
    primary = True
    name = names.CORRECT
    title = gettext_lazy("收取补正材料")
    submit_label = gettext_lazy("登记补正材料")
    form_class = WindowCorrectionForm

    def make_form(self, case, data=None, files=None, **kwargs):
        notice = next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)
        missing = {entry.get("material") for entry in notice.missing} if notice else set()
        return WindowCorrectionForm(data, files, item=case.item, missing_ids=missing)

    def perform(self, request, case, form):
        services.submit_correction(case, files=form.uploads(), paper_materials=form.paper(), by=request.user)
        return _("补正材料已登记，办件回到待受理。")


class Refuse(CaseAction):
    name = names.REFUSE
    title = gettext_lazy("不予受理")
    submit_label = gettext_lazy("不予受理")
    form_class = ReasonForm
    danger = True

    def perform(self, request, case, form):
        data = form.cleaned_data
        services.refuse_intake(case, by=request.user, reason=data["reason"])
        return _("已作出不予受理决定，可打印不予受理通知书。")


class Advance(CaseAction):
    primary = True
    name = names.ADVANCE
    title = gettext_lazy("办理本环节")
    submit_label = gettext_lazy("完成本环节，转下一环节")
    form_class = OpinionForm

    def perform(self, request, case, form):
        data = form.cleaned_data
        done = case.current_step
        case = services.advance_step(case, by=request.user, opinion=data["opinion"], step=done)
        if case.current_step_id:
            return _("「%(done)s」已办理，转入「%(next)s」（%(post)s）。") % {
                "done": done.name,
                "next": case.current_step.name,
                "post": case.current_post or _("本单位"),
            }
        return _("「%(done)s」已办理，流程环节均已完成。") % {"done": done.name}


class Decide(CaseAction):
    primary = True
    name = names.DECIDE
    title = gettext_lazy("作出决定")
    submit_label = gettext_lazy("作出决定")
    form_class = DecideForm
    needs_case = True

    def perform(self, request, case, form):
        data = form.cleaned_data
        case = services.decide_case(
            case,
            by=request.user,
            decision=data["decision"],
            reason=data["reason"],
            legal_basis=data["legal_basis"],
        )
        return _("已作出决定：%(decision)s。") % {"decision": case.get_decision_display()}


class DecidePenalty(CaseAction):
    primary = True
    name = names.DECIDE_PENALTY
    title = gettext_lazy("裁量处罚决定")
    submit_label = gettext_lazy("作出处罚决定")
    form_class = PenaltyForm
    needs_case = True

    def perform(self, request, case, form):
        data = form.cleaned_data
        penalty = services.decide_penalty(
            case, by=request.user, standard=data["standard"], fact=data["fact"], amount=data["amount"],
            reasons=data["reasons"], collective_discussion_record=data["collective_discussion_record"],
        )  # fmt: skip
        message = _("已作出处罚决定：%(penalty)s。") % {"penalty": penalty}
        if penalty.outside_band:
            message += _("决定金额超出裁量基准，已记录说明理由和集体讨论记录，并纳入电子监察。")
        return message


class OpenParallel(CaseAction):
    name = names.OPEN_PARALLEL
    title = gettext_lazy("发起并联审批")
    submit_label = gettext_lazy("发起会签")
    form_class = OpenParallelForm
    needs_case = True

    def perform(self, request, case, form):
        data = form.cleaned_data
        subs = services.open_parallel(
            case, by=request.user, departments=list(data["departments"]), note=data["note"], days=data["days"]
        )
        return _("已向 %(n)d 个单位发起会签，全部提出意见后继续办理。") % {"n": len(subs)}


class CompleteSubcase(CaseAction):
    primary = True
    name = names.COMPLETE_SUBCASE
    title = gettext_lazy("提交会签意见")
    submit_label = gettext_lazy("提交会签意见")
    form_class = CompleteSubcaseForm

    def perform(self, request, case, form):
        data = form.cleaned_data
        services.complete_subcase(case, by=request.user, opinion=data["opinion"], agree=data["agree"])
        return _("会签意见已提交。")


class Suspend(CaseAction):
    name = names.SUSPEND
    title = gettext_lazy("暂停计时")
    submit_label = gettext_lazy("暂停计时")
    form_class = SuspendForm

    def perform(self, request, case, form):
        data = form.cleaned_data
        entry = services.suspend_case(case, by=request.user, kind=data["kind"], reason=data["reason"])
        return _("已暂停计时（%(kind)s），最迟 %(by)s 恢复。") % {
            "kind": entry.get_kind_display(),
            "by": entry.ends_by,
        }


class Resume(CaseAction):
    primary = True
    name = names.RESUME
    title = gettext_lazy("恢复计时")
    submit_label = gettext_lazy("恢复计时")
    form_class = ResumeForm

    def perform(self, request, case, form):
        data = form.cleaned_data
        entry = services.resume_case(case, by=request.user, note=data["note"])
        case.refresh_from_db(fields=["due_on", "due_provisional"])
        return _("已恢复计时：暂停 %(days)d 个工作日，法定办结日期顺延至 %(due)s。") % {
            "days": entry.working_days or 0,
            "due": due_text(case),
        }


class GreenChannel(CaseAction):
    name = names.GREEN_CHANNEL
    title = gettext_lazy("纳入绿色通道")
    submit_label = gettext_lazy("纳入绿色通道")
    form_class = ReasonForm

    def perform(self, request, case, form):
        data = form.cleaned_data
        services.mark_green_channel(case, by=request.user, reason=data["reason"])
        return _("已纳入绿色通道，优先办理。")


class RecordFee(CaseAction):
    primary = True
    name = names.RECORD_FEE
    title = gettext_lazy("统一收费")
    submit_label = gettext_lazy("登记收费")
    form_class = RecordFeeForm

    def initial_form(self, case):
        return RecordFeeForm(initial={"amount": fee_total_of(case)})

    def perform(self, request, case, form):
        data = form.cleaned_data
        payment = services.record_fee(
            case, by=request.user, amount=data["amount"], receipt_no=data["receipt_no"],
            justification=data["justification"],
        )  # fmt: skip
        return _("已收费 %(amount)s 元，票据号 %(no)s。") % {
            "amount": payment.amount,
            "no": payment.receipt_no,
        }


class Complete(CaseAction):
    primary = True
    name = names.COMPLETE
    title = gettext_lazy("办结")
    submit_label = gettext_lazy("办结并送达结果")

    def perform(self, request, case, form):
        case = services.complete_case(case, by=request.user)
        return _("已办结。") + (_("按时办结。") if case.on_time else _("超过法定时限办结。"))


class ReissueSecret(CaseAction):
    name = names.REISSUE_SECRET
    title = gettext_lazy("重置查询密码")
    submit_label = gettext_lazy("重置查询密码")

    def perform(self, request, case, form):
        secret = services.reissue_secret(case, by=request.user)
        request.session[REISSUED] = {"case": case.pk, "secret": secret}
        return _("已重置查询密码，原密码作废。新密码只显示这一次，请交给申请人。")


# Display order on the page: intake first, then the step, the decision, money, closing, the rest.
# A penalty through the calculator comes before the other decisions (不予处罚…): it is the one shown open.
ACTIONS = {
    action.name: action
    for action in (
        Accept(), RequestCorrection(), Correct(), Refuse(), Advance(), DecidePenalty(), Decide(),
        OpenParallel(), CompleteSubcase(), RecordFee(), Complete(), Suspend(), Resume(), GreenChannel(),
        ReissueSecret(),
    )
}  # fmt: skip
