"""``{% can "app.verb" obj as name %}``: the one way templates ask an app's permissions.py.

``{% can "powers.submit" power as may_submit %}`` calls ``powers.permissions.can_submit(user, power)``
with the request's user; ``{% can "approvals.open_desk" as show %}`` calls ``can_open_desk(user)``.
Buttons, workbench cards and menu entries are shown through it, so they appear exactly when the
page or verb behind them would let the user in. An unknown app (not installed) answers False.
"""

from importlib import import_module

from django import template

register = template.Library()


def check(user, rule: str, *args) -> bool:
    """``rule`` is "app.verb": ``app.permissions.can_<verb>(user, *args)``."""
    app, verb = rule.split(".", 1)
    try:
        module = import_module(f"{app}.permissions")
    except ModuleNotFoundError as exc:
        if exc.name not in (app, f"{app}.permissions"):
            raise  # the module exists but is broken: say so
        return False
    return bool(getattr(module, f"can_{verb}")(user, *args))


@register.simple_tag(takes_context=True)
def can(context, rule, *args):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return False
    return check(user, rule, *args)
