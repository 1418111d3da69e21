"""Who may do what with a complaint: one function per verb.

The verbs call them to refuse, pages and the API call them to decide, templates to show buttons.

- Intake (hotline, letters, e-mail): hotline operators and the supervisory organ's staff (inspectors).
- The supervisory organ (inspectors): classify, merge, forward, keep, route, press, approve closure.
- The handling department (its handlers and head): accept, return, reply, propose closure.
- The reporter's identity and contact: hotline operators, inspectors and administrators only, and
  never a member of the department complained about or of the department handling it.
"""

from portal.roles import (
    ADMINISTRATOR,
    DEPT_HANDLER,
    DEPT_HEAD,
    HOTLINE_OPERATOR,
    INSPECTOR,
    department_of,
    has_role,
)

from .choices import AT_SUPERVISORY, ComplaintState

INTAKE_ROLES = (HOTLINE_OPERATOR, INSPECTOR)
SUPERVISORY_ROLES = (INSPECTOR,)
DEPARTMENT_ROLES = (DEPT_HANDLER, DEPT_HEAD)
IDENTITY_ROLES = (HOTLINE_OPERATOR, INSPECTOR, ADMINISTRATOR)
# Who may open the staff pages of the platform at all (each page narrows it down).
STAFF_ROLES = (HOTLINE_OPERATOR, INSPECTOR, ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD)
REPORT_ROLES = (INSPECTOR, ADMINISTRATOR, DEPT_HEAD, "appraiser")


def can_take_calls(user) -> bool:
    return has_role(user, *INTAKE_ROLES)


def is_supervisory(user) -> bool:
    return has_role(user, *SUPERVISORY_ROLES)


def can_see_queue(user) -> bool:
    """The supervisory queue (everything waiting for a decision)."""
    return has_role(user, HOTLINE_OPERATOR, INSPECTOR, ADMINISTRATOR)


def can_see_department_queue(user) -> bool:
    return has_role(user, *DEPARTMENT_ROLES) and department_of(user) is not None


def can_see_reports(user) -> bool:
    return has_role(user, *REPORT_ROLES)


def _supervisory_decision(user, complaint) -> bool:
    return is_supervisory(user) and complaint.state in AT_SUPERVISORY


def can_classify(user, complaint) -> bool:
    return is_supervisory(user) and complaint.state not in (ComplaintState.CLOSED, ComplaintState.MERGED)


def can_forward(user, complaint) -> bool:
    return _supervisory_decision(user, complaint)


can_keep = can_forward
can_route = can_forward
can_merge = can_forward


def _handles(user, complaint) -> bool:
    department = department_of(user)
    return (
        has_role(user, *DEPARTMENT_ROLES)
        and department is not None
        and department.pk == complaint.handling_department_id
    ) or (
        # Kept or routed complaints are handled by the supervisory organ's own staff.
        is_supervisory(user) and department is not None and department.pk == complaint.handling_department_id
    )


def can_accept(user, complaint) -> bool:
    return complaint.state == ComplaintState.FORWARDED and _handles(user, complaint)


def can_return(user, complaint) -> bool:
    return (
        complaint.state == ComplaintState.FORWARDED and _handles(user, complaint) and not is_supervisory(user)
    )


def can_reply(user, complaint) -> bool:
    return complaint.state == ComplaintState.ACCEPTED and _handles(user, complaint)


def can_propose_closure(user, complaint) -> bool:
    return complaint.state == ComplaintState.REPLIED and _handles(user, complaint)


def can_approve_closure(user, complaint) -> bool:
    return complaint.state == ComplaintState.CLOSING and is_supervisory(user)


can_refuse_closure = can_approve_closure


def can_press(user, complaint) -> bool:
    return (
        is_supervisory(user)
        and complaint.state in (ComplaintState.FORWARDED, ComplaintState.ACCEPTED, ComplaintState.REPLIED)
        and complaint.handling_department_id is not None
    )


def can_report_clue(user, complaint) -> bool:
    return is_supervisory(user) and complaint.category_id is not None and complaint.category.corruption_clue


def can_see_identity(user, complaint) -> bool:
    """The reporter's name and contact: intake and supervisory staff, never the departments concerned."""
    if not has_role(user, *IDENTITY_ROLES):
        return False
    department = department_of(user)
    if department is not None and department.pk in (
        complaint.department_id,
        complaint.handling_department_id,
    ):
        # The supervisory organ handling a kept complaint about someone else still sees it.
        return is_supervisory(user) and department.pk != complaint.department_id
    return True


def can_anonymise(user) -> bool:
    return has_role(user, ADMINISTRATOR)


def can_view(user, complaint) -> bool:
    from .models import Complaint

    return Complaint.objects.visible_to(user).filter(pk=complaint.pk).exists()


def has_staff_role(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_open_desk(user) -> bool:
    """投诉工作台 (complaints:list and the complaint pages): STAFF_ROLES, like the views."""
    return has_staff_role(user)
