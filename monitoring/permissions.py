"""Who may do what in monitoring: the roles of its pages, and one function per verb (see portal.access)."""

from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR

# The dashboard, alerts, accountability and issuing notices: discipline inspectors and administrators.
INSPECTOR_ROLES = (INSPECTOR, ADMINISTRATOR)
# Supervision notices: inspectors all; a department's head and handlers those addressed to it.
NOTICE_ROLES = (INSPECTOR, ADMINISTRATOR, DEPT_HEAD, DEPT_HANDLER)
