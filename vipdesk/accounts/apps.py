from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vipdesk.accounts"
    label = "accounts"
    verbose_name = "员工与权限"

    def ready(self):
        from vipdesk.core.confcache import watch

        from . import checks  # noqa: F401  (registers the system checks)

        # Who works which store (care's crews at every posting) kept with the stores (core.confcache,
        # group "org"); signing in or out is not a change of who works where.
        watch("org", "accounts.Staff", "accounts.Staff_stores",
              ignore={"accounts.Staff": ("last_login", "sign_out_generation")})
