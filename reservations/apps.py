from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "reservations"

    def ready(self):
        # Imported here: models may only be imported once Django has loaded the apps.
        from locks import hooks
        from reservations.audit_tracked import reservations_tracked
        from reservations.entries import door_events_received
        from reservations.guest_codes import guest_codes_resync
        from reservations.urgency import urgent_spans_after_pass

        hooks.register(hooks.doors_changed, guest_codes_resync)
        hooks.register(hooks.after_pass, urgent_spans_after_pass)
        hooks.register(hooks.door_events, door_events_received)
        reservations_tracked()
