from django.urls import path

from reservations.imports import views

urlpatterns = [
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/add/", views.feed_add, name="feed_add"),
    path("feeds/<int:feed_id>/check/", views.feed_check, name="feed_check"),
    path("feeds/<int:feed_id>/remove/", views.feed_remove, name="feed_remove"),
    path("units/<int:unit_id>/feeds/", views.feed_list, name="unit_feeds"),
    path("reservations/import/", views.csv_upload, name="csv_import"),
    path("reservations/import/sample.csv", views.csv_sample, name="csv_sample"),
    path("reservations/import/<uuid:import_id>/", views.csv_preview, name="csv_preview"),
    path("reservations/import/<uuid:import_id>/run/", views.csv_run, name="csv_run"),
]
