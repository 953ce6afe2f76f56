from django.contrib.auth import views as auth_views
from django.urls import path

from config.routes import pages
from locks import account_views, device_views, entry_views, simulator_views, views
from locks.tenancy.forms import SignInForm

LOCK = "locks/<int:lock_id>/"
CODE = LOCK + "codes/<uuid:code_id>/"
DEVICE = "devices/<int:device_pk>/"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *pages(
        ("password/reset/", account_views.PasswordResetView.as_view(), "password_reset"),
        (
            "password/reset/sent/",
            account_views.PasswordResetDoneView.as_view(),
            "password_reset_done",
        ),
        (
            "password/reset/<uidb64>/<token>/",
            account_views.PasswordResetConfirmView.as_view(),
            "password_reset_confirm",
        ),
        (
            "password/reset/done/",
            auth_views.PasswordResetCompleteView.as_view(),
            "password_reset_complete",
        ),
        ("password/change/", auth_views.PasswordChangeView.as_view(), "password_change"),
        (
            "password/change/done/",
            auth_views.PasswordChangeDoneView.as_view(),
            "password_change_done",
        ),
    ),
    *pages(
        ("locks/", views.home, "home"),
        ("locks/new/", views.lock_create),
        (LOCK, views.lock_detail),
        (LOCK + "edit/", views.lock_edit),
        (LOCK + "check/", views.lock_check),
        (LOCK + "keypad/", views.keypad_try),
        (LOCK + "unlock/", entry_views.lock_unlock),
        (LOCK + "entries.csv", entry_views.lock_entries_csv),
        (LOCK + "codes/add/", views.code_create),
        (CODE + "revoke/", views.code_revoke),
        (CODE + "reveal/", views.code_reveal),
        (CODE + "pin/", views.code_change_pin),
        (CODE + "take-over/", views.unmanaged_take_over),
        (CODE + "remove/", views.unmanaged_remove),
        (LOCK + "simulate/connection/", simulator_views.simulate_connection),
        (LOCK + "simulate/lose-code/", simulator_views.simulate_lose_code),
        (LOCK + "simulate/add-code/", simulator_views.simulate_add_code),
        (LOCK + "simulate/refuse-writes/", simulator_views.simulate_refuse_writes),
        (LOCK + "simulate/factory-reset/", simulator_views.simulate_factory_reset),
        (LOCK + "simulate/turn-by-hand/", simulator_views.simulate_turn_by_hand),
        ("devices/", device_views.devices_page, "devices"),
        ("devices/accounts/<int:account_id>/discover/", device_views.account_discover),
        ("devices/seam/connect/", device_views.seam_account_connect),
        ("devices/zwave/connect/", device_views.zwave_account_connect),
        ("devices/simulated/add/", device_views.simulated_device_add),
        (DEVICE + "register/", device_views.device_register),
        (DEVICE + "replace/", device_views.device_replace),
        (DEVICE + "ignore/", device_views.device_ignore, "device_ignore"),
        (DEVICE + "unignore/", device_views.device_unignore, "device_unignore"),
        ("alerts/", device_views.alerts_page, "alerts"),
        ("alerts/entry/<int:entry_alert_pk>/handled/", device_views.alert_handled, "alert_handled"),
    ),
]
