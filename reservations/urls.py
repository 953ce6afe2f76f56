from django.urls import include, path

from reservations import settings_views, views

urlpatterns = [
    path("", views.today, name="today"),
    path("reservations/", views.reservation_list, name="reservations"),
    path("reservations/new/", views.reservation_create, name="reservation_create"),
    path(
        "reservations/<uuid:reservation_id>/", views.reservation_detail, name="reservation_detail"
    ),
    path(
        "reservations/<uuid:reservation_id>/edit/", views.reservation_edit, name="reservation_edit"
    ),
    path(
        "reservations/<uuid:reservation_id>/reveal/",
        views.reservation_pin_reveal,
        name="reservation_pin_reveal",
    ),
    path(
        "reservations/<uuid:reservation_id>/check-out/",
        views.reservation_check_out,
        name="reservation_check_out",
    ),
    path(
        "reservations/<uuid:reservation_id>/cancel/",
        views.reservation_cancel,
        name="reservation_cancel",
    ),
    path(
        "reservations/<uuid:reservation_id>/new-pin/",
        views.reservation_new_pin,
        name="reservation_new_pin",
    ),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/members/add/", settings_views.member_add, name="member_add"),
    path(
        "settings/members/<int:membership_id>/role/",
        settings_views.member_role,
        name="member_role",
    ),
    path(
        "settings/members/<int:membership_id>/remove/",
        settings_views.member_remove,
        name="member_remove",
    ),
    path("settings/properties/new/", settings_views.property_create, name="property_create"),
    path(
        "settings/properties/<int:property_id>/",
        settings_views.property_edit,
        name="property_edit",
    ),
    path(
        "settings/properties/<int:property_id>/units/add/",
        settings_views.unit_create,
        name="unit_create",
    ),
    path("settings/units/<int:unit_id>/rename/", settings_views.unit_rename, name="unit_rename"),
    path("", include("reservations.imports.urls")),
]
