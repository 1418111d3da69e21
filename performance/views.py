"""Pages of the appraisal.

Public: the published rankings and grades per series (/appraisal/), a unit's result traced down to
its figures, a unit's scores over the years (ECharts), and the online evaluation. Unpublished
results are invisible (404) to the public and to other units; the office previews them.
Staff: the office's years (run, publish, import surveys, export), key-task criteria, entered
figures, rectification reports. Every change goes through a verb in ``performance.services``.
"""

import secrets
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from monitoring import timers
from portal import actions
from portal.access import RoleRequiredMixin
from portal.actions import Verb
from portal.forms import NoteForm, RequiredNoteForm, attach_errors
from portal.models import Department
from portal.ratelimit import client_ip, over_limit
from portal.roles import ADMINISTRATOR, APPRAISER, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of
from portal.templatetags.access import check

from . import excel, permissions, services, sources
from .choices import CriterionStatus, EntryStatus, RaterKind, RectificationStatus, YearStatus
from .forms import (
    CorrectionForm,
    CriterionForm,
    EntryForm,
    RectificationForm,
    RedeclareForm,
    SurveyUploadForm,
    VoteForm,
)
from .models import AppraisalYear, KeyTaskCriterion, Period, Rectification, Result, ScoreEntry, Series

OFFICE = (APPRAISER, ADMINISTRATOR)
STAFF = (APPRAISER, ADMINISTRATOR, DEPT_HEAD, DEPT_HANDLER)
VOTE_LIMIT_PER_MINUTE = 10
DEVICE_COOKIE = "appraisal_device"
DEVICE_SALT = "performance.vote.device"
PAGE_SIZE = 30


def _year_or_404(year: int) -> AppraisalYear:
    return get_object_or_404(AppraisalYear, year=year)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- public pages --------------------------------------------------------------------------------


class IndexView(View):
    """绩效考评公开: the published years, their series and the online evaluation link."""

    def get(self, request):
        years = AppraisalYear.objects.filter(status=YearStatus.PUBLISHED).prefetch_related("series")
        open_period = (
            Period.objects.filter(voting_open=True).exclude(year__status=YearStatus.PUBLISHED).first()
        )
        return render(
            request,
            "performance/index.html",
            {"years": years, "open_period": open_period, "is_office": permissions.is_office(request.user)},
        )


class RankingView(View):
    """The ranking and grades of one year, series by series (published; the office may preview)."""

    def get(self, request, year):
        year = _year_or_404(year)
        preview = not year.is_published
        if preview and not permissions.is_office(request.user):
            raise Http404
        results = (
            Result.objects.filter(year=year)
            .select_related("department", "series")
            .order_by("series__order", "series__code", "rank", "department__code")
        )
        by_series = defaultdict(list)
        for r in results:
            by_series[r.series].append(r)
        grades = year.thresholds
        return render(
            request,
            "performance/ranking.html",
            {"year": year, "by_series": dict(by_series), "preview": preview, "thresholds": grades},
        )


def _source_link(basis: dict, department, year, user) -> str:
    """The list of what a source counted, when the reader may open it (the owning app's rule)."""
    key = basis.get("key")
    source = next((s for s in sources.CANDIDATES if s.key == key), None)
    if (
        source is None
        or not user.is_authenticated
        or not source.link_rule
        or not check(user, source.link_rule)
    ):
        return ""
    start, end = services.year_bounds(year)
    return source.link(department, start.date(), end.date())


class ResultView(View):
    """A unit's total traced to each indicator, its raw figures and evidence, and what it counted."""

    def get(self, request, year, code):
        result = get_object_or_404(
            Result.objects.visible_to(request.user).select_related("year", "series", "department"),
            year__year=year,
            department__code=code,
        )
        scores = list(
            result.scores.select_related("indicator__category").order_by(
                "indicator__category__order", "indicator__category_id", "indicator__order", "indicator_id"
            )
        )
        categories = defaultdict(list)
        for s in scores:
            s.link = (
                _source_link(s.basis, result.department, result.year, request.user)
                if s.basis.get("key")
                else ""
            )
            s.figures = sources.figure_items(s.basis.get("figures") or {})
            categories[s.indicator.category].append(s)
        public = [
            {"kind": RaterKind(kind).label, **detail}
            for kind, detail in sorted(result.public_detail.items(), key=lambda kv: kv[0])
        ]
        is_office = permissions.is_office(request.user)
        return render(
            request,
            "performance/result.html",
            {
                "result": result,
                "categories": dict(categories),
                "public": public,
                "share": result.series.public_share,
                "internal_share": 1 - result.series.public_share,
                "rectification": getattr(result, "rectification", None),
                "leader_records": result.leader_records.all(),
                "corrections": result.corrections.select_related("indicator"),
                "correction_form": CorrectionForm(result=result)
                if permissions.can_correct(request.user, result)
                else None,
                "show_links": request.user.is_authenticated,
                "show_leaders": permissions.can_see_unpublished(request.user, result.department),
                "is_office": is_office,
            },
        )


class CorrectView(RoleRequiredMixin, View):
    roles = OFFICE

    def post(self, request, year, code):
        result = get_object_or_404(Result, year__year=year, department__code=code)
        form = CorrectionForm(request.POST, result=result)
        if form.is_valid():
            try:
                services.correct_result(
                    result, by=request.user, reason=form.cleaned_data["reason"],
                    new_score=form.cleaned_data["score"], indicator=form.cleaned_data["indicator"],
                )  # fmt: skip
                messages.success(request, _("已更正，并记入审计日志。"))
            except ValidationError as e:
                messages.error(request, _error_text(e))
        else:
            messages.error(
                request, _("更正内容有误：") + " ".join(str(e) for errs in form.errors.values() for e in errs)
            )
        return redirect(result.get_absolute_url())


class UnitHistoryView(View):
    """One unit's published results over the years, as charts."""

    def get(self, request, code):
        department = get_object_or_404(Department, code=code)
        results = list(
            Result.objects.filter(department=department, year__status=YearStatus.PUBLISHED)
            .select_related("year", "series")
            .order_by("year__year")
        )
        if not results:
            raise Http404
        sizes = dict(
            Result.objects.filter(series__in=[r.series_id for r in results])
            .values("series_id")
            .annotate(n=Count("pk"))
            .values_list("series_id", "n")
        )
        chart = {
            "years": [str(r.year.year) for r in results],
            "total": [float(r.total) for r in results],
            "internal": [float(r.internal_score) for r in results],
            "public": [None if r.public_score is None else float(r.public_score) for r in results],
            "rank": [r.rank for r in results],
            "size": [sizes.get(r.series_id, 0) for r in results],
            "labels": {"total": _("总分"), "internal": _("内部考评"), "public": _("公众评议"), "rank": _("名次"),
                       "score": _("得分")},
        }  # fmt: skip
        return render(
            request, "performance/unit.html", {"department": department, "results": results, "chart": chart}
        )


class VoteView(View):
    """网上评议: a citizen rates a unit once per period (rule stated on the page)."""

    def _period(self):
        period = (
            Period.objects.filter(voting_open=True)
            .exclude(year__status=YearStatus.PUBLISHED)
            .select_related("year")
            .order_by("-year__year", "-quarter")
            .first()
        )
        if period is None:
            raise Http404
        return period

    def get(self, request):
        period = self._period()
        return render(request, "performance/vote.html", {"period": period, "form": VoteForm(period=period)})

    def post(self, request):
        period = self._period()
        form = VoteForm(request.POST, period=period)
        if over_limit(request, "appraisal-vote", VOTE_LIMIT_PER_MINUTE):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
            return render(request, "performance/vote.html", {"period": period, "form": form}, status=429)
        device = request.get_signed_cookie(
            DEVICE_COOKIE, default="", salt=DEVICE_SALT
        ) or secrets.token_urlsafe(16)
        status = 200
        if form.is_valid():
            try:
                services.cast_vote(
                    period, department=form.cleaned_data["department"], choice=form.cleaned_data["choice"],
                    comment=form.cleaned_data["comment"], device_id=device, address=client_ip(request),
                    phone=form.cleaned_data["phone"],
                )  # fmt: skip
                messages.success(request, _("感谢您的评议！"))
                response = redirect("performance:vote")
                response.set_signed_cookie(
                    DEVICE_COOKIE,
                    device,
                    salt=DEVICE_SALT,
                    max_age=400 * 86400,
                    httponly=True,
                    samesite="Lax",
                )
                return response
            except services.AlreadyVoted:
                form.add_error(None, _("本期您已评议过该单位，每人每期对每个单位只能评议一次。"))
                status = 409
            except ValidationError as e:
                form.add_error(None, _error_text(e))
                status = 400
        else:
            status = 400
        response = render(request, "performance/vote.html", {"period": period, "form": form}, status=status)
        response.set_signed_cookie(
            DEVICE_COOKIE, device, salt=DEVICE_SALT, max_age=400 * 86400, httponly=True, samesite="Lax"
        )
        return response


# --- the office ----------------------------------------------------------------------------------


class OfficeView(RoleRequiredMixin, View):
    """考评办: every year with its state and what waits for the office."""

    roles = OFFICE

    def get(self, request):
        years = AppraisalYear.objects.annotate(n_series=Count("series", distinct=True))
        return render(
            request,
            "performance/office.html",
            {
                "years": years,
                "pending_criteria": KeyTaskCriterion.objects.filter(status=CriterionStatus.DECLARED).count(),
                "pending_entries": ScoreEntry.objects.filter(status=EntryStatus.SUBMITTED).count(),
                "open_rectifications": Rectification.objects.exclude(
                    status=RectificationStatus.ACCEPTED
                ).count(),
            },
        )


class YearView(RoleRequiredMixin, View):
    """One year: its series, their indicator systems and the checks a run will make; run, publish, import."""

    roles = OFFICE

    def get(self, request, year, upload_form=None, import_errors=None):
        year = _year_or_404(year)
        series = (
            Series.objects.filter(year=year)
            .prefetch_related("categories__indicators", "rater_weights")
            .annotate(n_members=Count("memberships", distinct=True))
        )
        available = sources.registry()
        rows = [(s, services.system_errors(s, available)) for s in series]
        return render(
            request,
            "performance/year.html",
            {
                "year": year, "series_rows": rows, "can_compute": permissions.can_compute(request.user, year),
                "can_publish": permissions.can_publish(request.user, year),
                "can_import": permissions.can_import_surveys(request.user, year),
                "upload_form": upload_form or SurveyUploadForm(), "import_errors": import_errors or [],
                "sources": available.values(), "results_count": Result.objects.filter(year=year).count(),
            },
        )  # fmt: skip


class PerformanceActionView(actions.ActionView):
    """A verb of the appraisal (``portal.actions``) named by the URL's ``action``; success and refusals
    come back to the page the buttons are on (``back``), form errors show the verb's form (400)."""

    verb_kwarg = "action"
    template_name = "performance/action.html"

    def back(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=self.back(), **kwargs)

    def get_success_url(self, result=None):
        return self.back()

    get_failure_url = get_success_url

    def refused(self, exc):
        messages.error(self.request, _error_text(exc))
        return redirect(self.get_failure_url())

    def transition_error(self, form, exc):
        return self.refused(exc)


#: The office's verbs on a year: the year-end run and publication.
YEAR_VERBS = {
    "compute": Verb(gettext_lazy("年终计分并排名"), None, permissions.can_compute, services.compute_year),
    "publish": Verb(
        gettext_lazy("公布结果（公布后冻结）"), None, permissions.can_publish, services.publish_year, danger=True,
        message=gettext_lazy("已公布；整改报告任务已下达，结果已记入领导干部考核。"),
    ),
}  # fmt: skip


class YearActionView(PerformanceActionView):
    roles = OFFICE
    verbs = YEAR_VERBS

    def get_object(self):
        return _year_or_404(self.kwargs["year"])

    def back(self):
        return reverse("performance:year", kwargs={"year": self.object.year})

    def get_success_message(self, result):
        if self.verb_name == "compute":
            return _("已计分并排名：%(n)d 个单位。") % {"n": result}
        return super().get_success_message(result)


class SurveyImportView(RoleRequiredMixin, View):
    roles = OFFICE

    def get(self, request, year):
        _year_or_404(year)
        return excel.response(excel.survey_template(), f"评议调查结果模板-{year}.xlsx")

    def post(self, request, year):
        obj = _year_or_404(year)
        if not permissions.can_import_surveys(request.user, obj):
            raise PermissionDenied(_("已公布的年度不能再导入评议结果。"))
        form = SurveyUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return YearView().get(request, year, upload_form=form)
        parsed = excel.read_survey_workbook(form.cleaned_data["file"], obj)
        if not parsed.ok:
            messages.error(request, _("导入失败，没有导入任何数据；请按下列说明修改后重新上传。"))
            return YearView().get(request, year, upload_form=form, import_errors=parsed.errors)
        n = services.import_surveys(obj, parsed.rows, by=request.user)
        messages.success(request, _("已导入 %(n)d 行评议调查结果。") % {"n": n})
        return redirect("performance:year", year=obj.year)


class ExportView(View):
    """Results (published, or the office) and indicator systems (public once published) as Excel."""

    def get(self, request, year, what):
        obj = _year_or_404(year)
        if not obj.is_published and not permissions.is_office(request.user):
            raise Http404
        if what == "results":
            return excel.response(excel.results_workbook(obj), f"绩效考评结果-{obj.year}.xlsx")
        if what == "indicators":
            return excel.response(excel.indicators_workbook(obj), f"绩效考评指标体系-{obj.year}.xlsx")
        raise Http404


# --- units and office: criteria, entries, rectification reports ----------------------------------


def _current_year():
    return AppraisalYear.objects.exclude(status=YearStatus.PUBLISHED).order_by("-year").first()


class CriteriaView(RoleRequiredMixin, View):
    """Key-task criteria: units declare theirs; the office reviews all."""

    roles = STAFF

    def _context(self, request, form=None):
        user = request.user
        items = KeyTaskCriterion.objects.select_related("department", "indicator", "year")
        department = department_of(user)
        if not permissions.is_office(user):
            items = items.filter(department=department)
        year = _current_year()
        can_declare = year is not None and permissions.can_declare(user, year, department)
        if can_declare and form is None:
            form = CriterionForm(year=year, department=department)
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        return {"page": page, "form": form if can_declare else None, "year": year, "reason_form": NoteForm(),
                "redeclare_form": RedeclareForm()}  # fmt: skip

    def get(self, request):
        return render(request, "performance/criteria.html", self._context(request))

    def post(self, request):
        year = _current_year()
        department = department_of(request.user)
        if year is None or not permissions.can_declare(request.user, year, department):
            raise PermissionDenied(_("只有参评单位人员可以申报考评细则。"))
        form = CriterionForm(request.POST, year=year, department=department)
        if form.is_valid():
            try:
                services.declare_criterion(year, department=department, by=request.user, **form.cleaned_data)
                messages.success(request, _("已申报，等待考评办核定。"))
                return redirect("performance:criteria")
            except ValidationError as e:
                form.add_error(None, _error_text(e))
        return render(request, "performance/criteria.html", self._context(request, form), status=400)


#: The verbs on a key-task criterion: the office reviews it, the unit declares it again once returned.
CRITERION_VERBS = {
    "approve": Verb(
        gettext_lazy("核定考评细则"), NoteForm, permissions.can_review_criterion, services.approve_criterion,
        message=gettext_lazy("已核定。"),
    ),
    "return": Verb(
        gettext_lazy("退回考评细则"), RequiredNoteForm, permissions.can_review_criterion, services.return_criterion,
        danger=True, message=gettext_lazy("已退回。"),
    ),
    "redeclare": Verb(
        gettext_lazy("重新申报考评细则"), RedeclareForm, permissions.can_redeclare, services.redeclare_criterion,
        message=gettext_lazy("已重新申报，等待考评办核定。"),
    ),
}  # fmt: skip


class CriterionActionView(PerformanceActionView):
    roles = STAFF
    verbs = CRITERION_VERBS

    def get_object(self):
        return get_object_or_404(
            KeyTaskCriterion.objects.select_related("department", "indicator"), pk=self.kwargs["pk"]
        )

    def back(self):
        return reverse("performance:criteria")


class EntriesView(RoleRequiredMixin, View):
    """Entered figures: routine checks by the office (count at once), units' own figures (checked)."""

    roles = STAFF

    def _context(self, request, form=None):
        user = request.user
        year = _current_year()
        department = None if permissions.is_office(user) else department_of(user)
        entries = ScoreEntry.objects.select_related("department", "indicator", "period__year")
        if department is not None:
            entries = entries.filter(department=department)
        status = request.GET.get("status")
        if status in EntryStatus.values:
            entries = entries.filter(status=status)
        if form is None and year is not None:
            form = EntryForm(year=year, department=department)
        return {"page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")), "form": form,
                "year": year, "statuses": EntryStatus.choices, "status": status}  # fmt: skip

    def get(self, request):
        return render(request, "performance/entries.html", self._context(request))

    def post(self, request):
        year = _current_year()
        if year is None:
            raise Http404
        department = None if permissions.is_office(request.user) else department_of(request.user)
        form = EntryForm(request.POST, year=year, department=department)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_entry(
                    data["period"], indicator=data["indicator"], department=data["department"], value=data["value"],
                    evidence=data["evidence"], by=request.user,
                )  # fmt: skip
                messages.success(request, _("已填报。"))
                return redirect("performance:entries")
            except ValidationError as e:
                form.add_error(None, _error_text(e))
        return render(request, "performance/entries.html", self._context(request, form), status=400)


#: The office's verbs on a unit's entered figure.
ENTRY_VERBS = {
    "check": Verb(
        gettext_lazy("核定填报数据"), NoteForm, permissions.can_check_entry, services.check_entry, message=gettext_lazy("已核定。"),
    ),
    "return": Verb(
        gettext_lazy("退回填报数据"), RequiredNoteForm, permissions.can_check_entry, services.return_entry, danger=True,
        message=gettext_lazy("已退回。"),
    ),
}  # fmt: skip


class EntryActionView(PerformanceActionView):
    roles = OFFICE
    verbs = ENTRY_VERBS

    def get_object(self):
        return get_object_or_404(
            ScoreEntry.objects.select_related("department", "indicator"), pk=self.kwargs["pk"]
        )

    def back(self):
        return reverse("performance:entries")


class RectificationListView(RoleRequiredMixin, View):
    roles = STAFF

    def get(self, request):
        tasks = Rectification.objects.visible_to(request.user).select_related(
            "department", "result__year", "result__series"
        )
        return render(request, "performance/rectifications.html", {"tasks": tasks})


class RectificationView(RoleRequiredMixin, View):
    """The office and the unit act on it; inspectors (who supervise its timer) read it."""

    roles = (*STAFF, INSPECTOR)

    def _task(self, request, pk):
        return get_object_or_404(
            Rectification.objects.visible_to(request.user).select_related(
                "department", "result__year", "result__series"
            ),
            pk=pk,
        )

    def get(self, request, pk, form=None):
        task = self._task(request, pk)
        user = request.user
        return render(
            request,
            "performance/rectification.html",
            {
                "task": task, "timers": timers.for_target(task),
                "form": form or (RectificationForm() if permissions.can_submit_rectification(user, task) else None),
                "can_review": permissions.can_review_rectification(user, task), "reason_form": NoteForm(),
            },
        )  # fmt: skip

    def post(self, request, pk):
        task = self._task(request, pk)
        form = RectificationForm(request.POST)
        if form.is_valid():
            try:
                services.submit_rectification(task, by=request.user, report=form.cleaned_data["report"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("整改报告已提交，等待考评办验收。"))
                return redirect("performance:rectification", pk=task.pk)
        response = self.get(request, pk, form=form)
        response.status_code = 400
        return response


#: The office's verbs on a rectification report.
RECTIFICATION_VERBS = {
    "accept": Verb(
        gettext_lazy("验收通过"), NoteForm, permissions.can_review_rectification, services.accept_rectification,
        message=gettext_lazy("整改报告已验收通过。"),
    ),
    "return": Verb(
        gettext_lazy("退回重报"), RequiredNoteForm, permissions.can_review_rectification, services.return_rectification,
        danger=True, message=gettext_lazy("已退回重报。"),
    ),
}  # fmt: skip


class RectificationActionView(PerformanceActionView):
    roles = STAFF
    verbs = RECTIFICATION_VERBS

    def get_object(self):
        return get_object_or_404(Rectification.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def back(self):
        return reverse("performance:rectification", kwargs={"pk": self.object.pk})
