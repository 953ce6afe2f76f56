"""The API's routes: Seam's paths under /api/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from locks.api import dialect, simulate, views, webhook_views
from locks.api.errors import route_not_found
from reservations import api as reservations

ROUTES = {
    "access_codes/create": views.access_code_create,
    "access_codes/create_multiple": dialect.access_code_create_multiple,
    "access_codes/update_multiple": dialect.access_code_update_multiple,
    "access_codes/get": views.access_code_get,
    "access_codes/list": views.access_code_list,
    "access_codes/update": views.access_code_update,
    "access_codes/delete": views.access_code_delete,
    "access_codes/generate_code": views.access_code_generate,
    "access_codes/pull_backup_access_code": views.access_code_pull_backup,
    "access_codes/unmanaged/list": views.unmanaged_access_code_list,
    "access_codes/unmanaged/get": views.unmanaged_access_code_get,
    "access_codes/unmanaged/convert_to_managed": views.unmanaged_access_code_convert_to_managed,
    "access_codes/unmanaged/delete": views.unmanaged_access_code_delete,
    "access_codes/unmanaged/update": dialect.unmanaged_access_code_update,
    "access_codes/simulate/create_unmanaged_access_code": simulate.simulate_create_unmanaged_code,
    "devices/list": views.device_list,
    "devices/get": views.device_get,
    "devices/update": dialect.device_update,
    "devices/simulate/connect": simulate.simulate_connect,
    "devices/simulate/disconnect": simulate.simulate_disconnect,
    "devices/simulate/factory_reset": simulate.simulate_factory_reset,
    "devices/simulate/remove_code": simulate.simulate_remove_code,
    "locks/list": views.lock_list,
    "locks/get": views.lock_get,
    "locks/unlock_door": views.lock_unlock_door,
    "locks/lock_door": views.lock_lock_door,
    "locks/simulate/keypad_code_entry": simulate.simulate_keypad_code_entry,
    "action_attempts/get": views.action_attempt_get,
    "action_attempts/list": dialect.action_attempt_list,
    "events/list": views.event_list,
    "events/get": dialect.event_get,
    "connected_accounts/list": dialect.connected_account_list,
    "connected_accounts/get": dialect.connected_account_get,
    "webhooks/create": webhook_views.webhook_create,
    "webhooks/get": webhook_views.webhook_get_view,
    "webhooks/list": webhook_views.webhook_list,
    "webhooks/update": webhook_views.webhook_update,
    "webhooks/delete": webhook_views.webhook_delete,
    "reservations/create": reservations.reservation_create,
    "reservations/get": reservations.reservation_get,
    "reservations/list": reservations.reservation_list,
    "reservations/update": reservations.reservation_update,
    "reservations/cancel": reservations.reservation_cancel,
    "reservations/check_out": reservations.reservation_check_out,
    "reservations/new_pin": reservations.reservation_new_pin,
    "reservations/give_backup": reservations.reservation_give_backup,
    "properties/list": reservations.property_list,
    "units/list": reservations.unit_list,
}

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api-schema",
    ),
    *(
        path(route, view.as_view(), name="api-" + route.replace("/", "-"))
        for route, view in ROUTES.items()
    ),
    # Anything else under /api/ answers in Seam's error shape, not with Django's HTML page.
    re_path(r"^", route_not_found),
]
