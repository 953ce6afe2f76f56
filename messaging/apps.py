from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        # Imported here: models may only be imported once Django has loaded the apps.
        from messaging.audit_tracked import messaging_tracked
        from messaging.lockouts import lockout_backup_text
        from messaging.stay_changes import stay_changed_text
        from reservations import hooks

        hooks.register(hooks.lockout_raised, lockout_backup_text)
        hooks.register(hooks.stay_changed, stay_changed_text)
        messaging_tracked()
