from django.apps import AppConfig


class LocksConfig(AppConfig):
    name = "locks"

    def ready(self):
        # Imported here: models may only be imported once Django has loaded the apps.
        from locks.audit.tracked import locks_tracked

        locks_tracked()
