from config.routes import pages
from reservations.imports import views

urlpatterns = pages(
    ("feeds/", views.feed_list, "feeds"),
    ("feeds/add/", views.feed_add),
    ("feeds/<int:feed_id>/check/", views.feed_check),
    ("feeds/<int:feed_id>/remove/", views.feed_remove),
    ("units/<int:unit_id>/feeds/", views.feed_list, "unit_feeds"),
    ("reservations/import/", views.csv_upload, "csv_import"),
    ("reservations/import/sample.csv", views.csv_sample),
    ("reservations/import/<uuid:import_id>/", views.csv_preview),
    ("reservations/import/<uuid:import_id>/run/", views.csv_run),
)
