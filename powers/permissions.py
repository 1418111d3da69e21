"""Who may do what with the power list: one function per verb, written once.

The verbs in services.py call them to refuse (``portal.services.require``: PermissionDenied with the
reason), the views and the API call them to decide, and templates use them through portal's
``{% can %}`` tag to show buttons, workbench cards and menu entries. Each ``can_<verb>(user, power)``
answers for the power's present state too, so a button appears exactly when the verb would succeed
as far as who and when go (the verb still validates its input).
"""

from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    INSPECTOR,
    LEGAL_REVIEWER,
    department_of,
    has_role,
)

from .choices import EDITABLE_STATUSES, PowerStatus

# The staff pages of the power list (the management workbench and one power's management page).
STAFF_ROLES = (DEPT_HANDLER, DEPT_HEAD, LEGAL_REVIEWER, ADMINISTRATOR)
# Declaring, editing drafts, flowcharts and standards, revising, delegating: a department's own staff.
DEPARTMENT_ROLES = (DEPT_HANDLER, DEPT_HEAD)


def can_open_workbench(user) -> bool:
    """The management workbench (权力事项管理)."""
    return has_role(user, *STAFF_ROLES)


def sees_staff_filters(user) -> bool:
    """The public list shows staff (and inspectors) the status filter."""
    return has_role(user, *STAFF_ROLES, INSPECTOR)


def is_department_staff(user, department) -> bool:
    """A handler or head of ``department``, or an administrator."""
    return has_role(user, ADMINISTRATOR) or (
        has_role(user, *DEPARTMENT_ROLES) and department is not None and department_of(user) == department
    )


def can_manage(user, power) -> bool:
    """The power's own department staff, or an administrator (whatever its state)."""
    return is_department_staff(user, power.department)


def can_declare(user, department=None) -> bool:
    """Declare a new power: for ``department``, or (None) for the user's own department."""
    if department is None:
        return has_role(user, ADMINISTRATOR) or (
            has_role(user, *DEPARTMENT_ROLES) and department_of(user) is not None
        )
    return is_department_staff(user, department)


def can_edit(user, power) -> bool:
    """Edit a draft or returned declaration, its flowchart and its discretion standards."""
    return power.status in EDITABLE_STATUSES and can_manage(user, power)


def can_submit(user, power) -> bool:
    """Submit for legal review (申报)."""
    return power.status in (PowerStatus.DRAFT, PowerStatus.RETURNED) and can_manage(user, power)


def can_approve(user, power) -> bool:
    """Pass the legal review (法制审核通过)."""
    return power.status == PowerStatus.SUBMITTED and has_role(user, LEGAL_REVIEWER)


def can_return(user, power) -> bool:
    """Return with reasons: the legal reviewer a submitted one, the confirming administrator an approved one."""
    return (power.status == PowerStatus.SUBMITTED and has_role(user, LEGAL_REVIEWER)) or (
        power.status == PowerStatus.APPROVED and has_role(user, ADMINISTRATOR)
    )


def can_publish(user, power) -> bool:
    """Confirm and publish (确认公布)."""
    return power.status == PowerStatus.APPROVED and has_role(user, ADMINISTRATOR)


def can_revise(user, power) -> bool:
    """Propose a revision (修订) or a delegation down a level (下放) of a published power."""
    return power.status == PowerStatus.PUBLISHED and can_manage(user, power)


can_delegate = can_revise


def can_abolish(user, power) -> bool:
    """Abolish a published power (废止)."""
    return power.status == PowerStatus.PUBLISHED and has_role(user, ADMINISTRATOR)


def can_merge(user) -> bool:
    """Merge published powers of the user's own department (合并)."""
    return has_role(user, *DEPARTMENT_ROLES) and department_of(user) is not None


# --- the legal basis (法律依据: legal documents and their articles) ----------------------------------


def can_maintain_legal_basis(user) -> bool:
    """Enter and correct legal documents and articles: the legal-affairs office (法制审核) and administrators."""
    return has_role(user, LEGAL_REVIEWER, ADMINISTRATOR)
