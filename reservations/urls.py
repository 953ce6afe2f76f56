from django.urls import include, path

urlpatterns = [
    path("", include("reservations.imports.urls")),
]
