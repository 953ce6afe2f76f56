from backups import views
from config.routes import pages

urlpatterns = pages(
    ("locks/<int:lock_id>/backups/pool/", views.pool_update, "backup_pool_update"),
    ("locks/<int:lock_id>/backups/generate/", views.backup_generate),
    (
        "reservations/<uuid:reservation_id>/backups/give/",
        views.backups_give,
        "reservation_backups_give",
    ),
)
