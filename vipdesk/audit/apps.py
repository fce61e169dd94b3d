from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vipdesk.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import receivers

        user_logged_in.connect(receivers.on_signed_in, dispatch_uid="audit.sign_in")
        user_login_failed.connect(receivers.on_sign_in_failed, dispatch_uid="audit.sign_in_failed")
        user_locked_out.connect(receivers.on_locked_out, dispatch_uid="audit.locked_out")
        user_logged_out.connect(receivers.on_signed_out, dispatch_uid="audit.signed_out")
