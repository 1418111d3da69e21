"""Who is on each side of a case, as another app may read it (risks' conflict-of-interest rule).

    case_parties(case_ids=None) -> list[dict]
    cases_changed_since(since) -> set[int]

Each dict: ``case`` (the case row — to be passed on only as a monitoring alert's target), ``code``,
``department_id``, ``applicant_name``, ``applicant_id_number`` and ``handler_ids`` (the users who
handled one of its steps). The caller decides what to show; applicants' data never leaves it.
"""

from .anomalies import cases_changed_since  # noqa: F401  (published here for the rules of other apps)
from .models import Case, CaseStep


def case_parties(case_ids=None) -> list[dict]:
    cases = Case.objects.select_related("department").order_by("id")
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    handlers: dict[int, set[int]] = {}
    steps = CaseStep.objects.filter(handled_by__isnull=False)
    if case_ids is not None:
        steps = steps.filter(case_id__in=list(case_ids))
    for case_id, user_id in steps.values_list("case_id", "handled_by_id"):
        handlers.setdefault(case_id, set()).add(user_id)
    return [
        {
            "case": case,
            "code": case.code,
            "department_id": case.department_id,
            "applicant_name": case.applicant_name,
            "applicant_id_number": case.applicant_id_number,
            "handler_ids": handlers.get(case.pk, set()),
        }
        for case in cases.iterator(chunk_size=2000)
        if case.pk in handlers
    ]
