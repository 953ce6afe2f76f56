from django.contrib.auth import views as auth_views
from django.urls import path

from locks import device_views, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("locks/", views.home, name="home"),
    path("switch-owner/", views.owner_switch, name="owner_switch"),
    path("locks/new/", views.lock_create, name="lock_create"),
    path("locks/<int:lock_id>/", views.lock_detail, name="lock_detail"),
    path("locks/<int:lock_id>/edit/", views.lock_edit, name="lock_edit"),
    path("locks/<int:lock_id>/check/", views.lock_check, name="lock_check"),
    path("locks/<int:lock_id>/keypad/", views.keypad_try, name="keypad_try"),
    path("locks/<int:lock_id>/codes/add/", views.code_create, name="code_create"),
    path(
        "locks/<int:lock_id>/codes/<uuid:code_id>/revoke/",
        views.code_revoke,
        name="code_revoke",
    ),
    path(
        "locks/<int:lock_id>/codes/<uuid:code_id>/reveal/",
        views.code_reveal,
        name="code_reveal",
    ),
    path(
        "locks/<int:lock_id>/codes/<uuid:code_id>/pin/",
        views.code_change_pin,
        name="code_change_pin",
    ),
    path(
        "locks/<int:lock_id>/simulate/connection/",
        views.simulate_connection,
        name="simulate_connection",
    ),
    path(
        "locks/<int:lock_id>/simulate/lose-code/",
        views.simulate_lose_code,
        name="simulate_lose_code",
    ),
    path(
        "locks/<int:lock_id>/simulate/add-code/",
        views.simulate_add_code,
        name="simulate_add_code",
    ),
    path(
        "locks/<int:lock_id>/simulate/refuse-writes/",
        views.simulate_refuse_writes,
        name="simulate_refuse_writes",
    ),
    path(
        "locks/<int:lock_id>/simulate/factory-reset/",
        views.simulate_factory_reset,
        name="simulate_factory_reset",
    ),
    path(
        "locks/<int:lock_id>/codes/<uuid:code_id>/take-over/",
        views.unmanaged_take_over,
        name="unmanaged_take_over",
    ),
    path(
        "locks/<int:lock_id>/codes/<uuid:code_id>/remove/",
        views.unmanaged_remove,
        name="unmanaged_remove",
    ),
    path("devices/", device_views.devices_page, name="devices"),
    path(
        "devices/accounts/<int:account_id>/discover/",
        device_views.account_discover,
        name="account_discover",
    ),
    path(
        "devices/seam/connect/",
        device_views.seam_account_connect,
        name="seam_account_connect",
    ),
    path(
        "devices/simulated/add/",
        device_views.simulated_device_add,
        name="simulated_device_add",
    ),
    path(
        "devices/<int:device_pk>/register/",
        device_views.device_register,
        name="device_register",
    ),
    path(
        "devices/<int:device_pk>/replace/",
        device_views.device_replace,
        name="device_replace",
    ),
    path("devices/<int:device_pk>/ignore/", device_views.device_ignore, name="device_ignore"),
    path(
        "devices/<int:device_pk>/unignore/",
        device_views.device_unignore,
        name="device_unignore",
    ),
    path("alerts/", device_views.alerts_page, name="alerts"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
