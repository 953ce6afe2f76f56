from django.urls import path

from backups import views

urlpatterns = [
    path("locks/<int:lock_id>/backups/pool/", views.pool_update, name="backup_pool_update"),
    path("locks/<int:lock_id>/backups/generate/", views.backup_generate, name="backup_generate"),
    path(
        "reservations/<uuid:reservation_id>/backups/give/",
        views.backups_give,
        name="reservation_backups_give",
    ),
]
