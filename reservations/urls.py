from django.urls import include, path

from config.routes import pages
from reservations import entry_views, first_run_views, views

STAY = "reservations/<uuid:reservation_id>/"

urlpatterns = [
    *pages(
        ("", views.today),
        ("first-run/dismiss/", first_run_views.first_run_dismiss),
        ("reservations/", views.reservation_list, "reservations"),
        ("reservations/new/", views.reservation_create),
        (STAY, views.reservation_detail),
        (STAY + "edit/", views.reservation_edit),
        (STAY + "reveal/", views.reservation_pin_reveal),
        (STAY + "check-out/", views.reservation_check_out),
        (STAY + "cancel/", views.reservation_cancel),
        (STAY + "new-pin/", views.reservation_new_pin),
        (STAY + "guest-link/", views.reservation_guest_link_renew),
        (STAY + "doors/<int:lock_id>/unlock/", entry_views.reservation_unlock),
        (STAY + "entries.csv", entry_views.reservation_entries_csv),
    ),
    path("", include("reservations.imports.urls")),
]
