"""System checks of the accounts settings."""
from django.conf import settings
from django.core import checks

from .roles import Role


@checks.register()
def idle_sign_out_minutes(app_configs=None, **kwargs):
    """VIPDESK["IDLE_SIGN_OUT_MINUTES"]: a role name (or "default") → whole minutes, 0 for never."""
    limits = settings.VIPDESK.get("IDLE_SIGN_OUT_MINUTES", {})
    errors = []
    for role, minutes in limits.items():
        if role != "default" and role not in Role.values:
            errors.append(checks.Error(
                f"IDLE_SIGN_OUT_MINUTES names an unknown role {role!r}.",
                hint=f"Roles: {', '.join(Role.values)}, or 'default'.", id="vipdesk.E201"))
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            errors.append(checks.Error(
                f"IDLE_SIGN_OUT_MINUTES[{role!r}] must be whole minutes, 0 for never, not {minutes!r}.",
                id="vipdesk.E202"))
    return errors
