from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("locks.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("backups.urls")),
    path("", include("messaging.urls")),
    path("", include("messaging.guest_page.urls")),
    path("", include("reservations.urls")),
    path("", include("locks.tenancy.urls")),
    path("", include("locks.urls")),
]

handler500 = "locks.api.errors.server_error"
