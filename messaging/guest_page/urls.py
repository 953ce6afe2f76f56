from config.routes import pages
from messaging.guest_page import views

urlpatterns = pages(
    ("g/<str:token>/", views.guest_page),
    ("g/<str:token>/photo/<str:kind>/<int:object_id>/", views.guest_photo),
)
