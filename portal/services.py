"""Helpers shared by every app's service verbs."""

from django.core.exceptions import PermissionDenied


class TransitionError(Exception):
    """A verb was asked for a state change its transition map does not allow."""


def check_transition(transitions: dict, current, target, choices=None, what: str = "") -> None:
    """Refuse ``current -> target`` unless the explicit transition map allows it.

    ``choices`` is the TextChoices class, used to name the states in the message.
    """
    if target in transitions.get(current, ()):
        return

    def name(value):
        if choices is not None:
            try:
                return choices(value).label
            except ValueError:
                pass
        return value

    raise TransitionError(f"{what}当前状态为「{name(current)}」，不能变更为「{name(target)}」。")


def require(condition: bool, message: str) -> None:
    """Refuse the verb with a permission error unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied(message)
