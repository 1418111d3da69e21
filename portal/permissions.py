"""Who may open the kernel's own pages (see portal.access and the apps' permissions.py)."""

from portal.roles import ADMINISTRATOR, INTEGRATOR, has_role


def can_use_api(user) -> bool:
    """The API's documentation card on the workbench: integrators and administrators."""
    return has_role(user, INTEGRATOR, ADMINISTRATOR)
