"""One ``can_<verb>(user, obj)`` per verb: the verb calls it to refuse, pages and the API to decide."""

from portal.roles import ADMINISTRATOR, APPRAISER, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of, has_role

from .choices import CriterionStatus, EntryStatus, RectificationStatus, YearStatus

OFFICE = (APPRAISER, ADMINISTRATOR)
UNIT_STAFF = (DEPT_HEAD, DEPT_HANDLER)


def is_office(user) -> bool:
    """The appraisal office (考评办) and administrators."""
    return has_role(user, *OFFICE)


def is_unit_staff_of(user, department) -> bool:
    return department is not None and has_role(user, *UNIT_STAFF) and department_of(user) == department


def can_compute(user, year) -> bool:
    return is_office(user) and year.status != YearStatus.PUBLISHED


def can_publish(user, year) -> bool:
    return is_office(user) and year.status == YearStatus.COMPUTED


def can_correct(user, result) -> bool:
    return is_office(user) and result.year.status == YearStatus.PUBLISHED


def can_declare(user, year, department) -> bool:
    return is_unit_staff_of(user, department) and year.status != YearStatus.PUBLISHED


def can_redeclare(user, criterion) -> bool:
    return criterion.status == CriterionStatus.RETURNED and can_declare(
        user, criterion.year, criterion.department
    )


def can_review_criterion(user, criterion) -> bool:
    return is_office(user) and criterion.status == CriterionStatus.DECLARED


def can_enter(user, year, department) -> bool:
    """Units submit their own figures; the office records routine-check figures for any unit."""
    if year.status == YearStatus.PUBLISHED:
        return False
    return is_office(user) or is_unit_staff_of(user, department)


def can_check_entry(user, entry) -> bool:
    return is_office(user) and entry.status == EntryStatus.SUBMITTED


def can_import_surveys(user, year) -> bool:
    return is_office(user) and year.status != YearStatus.PUBLISHED


def can_submit_rectification(user, task) -> bool:
    return task.status == RectificationStatus.ASSIGNED and is_unit_staff_of(user, task.department)


def can_review_rectification(user, task) -> bool:
    return is_office(user) and task.status == RectificationStatus.SUBMITTED


def can_see_unpublished(user, department=None) -> bool:
    """The office sees every unpublished result; a unit sees its own."""
    return is_office(user) or (department is not None and department_of(user) == department)


def can_open_office(user) -> bool:
    """考评办工作台 (performance:office)."""
    return has_role(user, *OFFICE)


def can_open_unit(user) -> bool:
    """A unit's pages: criteria, entries and rectification reports."""
    return has_role(user, *UNIT_STAFF)


def can_open_rectifications(user) -> bool:
    """The list of rectification reports (the office and the units)."""
    return has_role(user, *OFFICE, *UNIT_STAFF)


def can_open_rectification(user, task) -> bool:
    """The rectification page: the office and inspectors read every report, a unit its own."""
    return has_role(user, *OFFICE, INSPECTOR) or is_unit_staff_of(user, task.department)
