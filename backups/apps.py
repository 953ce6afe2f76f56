from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups"

    def ready(self):
        # Imported here: models may only be imported once Django has loaded the apps.
        from backups.services import backup_pool_after_pass, backup_pool_before_pass
        from locks import hooks

        hooks.register(hooks.before_pass, backup_pool_before_pass)
        hooks.register(hooks.after_pass, backup_pool_after_pass)
