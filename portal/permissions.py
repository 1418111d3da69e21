"""Who may open the kernel's own pages (see portal.access and the apps' permissions.py)."""

from portal.roles import ADMINISTRATOR, INTEGRATOR, has_role


def can_use_api(user) -> bool:
    """The API's documentation card on the workbench: integrators and administrators."""
    return has_role(user, INTEGRATOR, ADMINISTRATOR)


# --- API tokens (portal.tokens) ------------------------------------------------------------------


def _holder_or_administrator(user, holder) -> bool:
    return user is not None and (getattr(user, "pk", None) == holder.pk or has_role(user, ADMINISTRATOR))


def can_issue_token(user, holder) -> bool:
    """Issue a token to ``holder``: the holder (with their password, the API) or an administrator.
    What scope and lifetime the holder may get is ``portal.tokens.policy_for``."""
    return _holder_or_administrator(user, holder)


def can_revoke_token(user, token) -> bool:
    """Revoke a token that is not revoked yet: its holder or an administrator."""
    return token.revoked_at is None and _holder_or_administrator(user, token.user)


def can_rename_token(user, token) -> bool:
    """Change a token's label (用途): its holder or an administrator; scope, holder and lifetime never change."""
    return _holder_or_administrator(user, token.user)


# --- the working-day calendar (portal.workdays) ----------------------------------------------------


def can_edit_calendar(user) -> bool:
    """Enter, correct or remove the statutory calendar's years and dates: administrators."""
    return has_role(user, ADMINISTRATOR)
