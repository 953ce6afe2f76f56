from config.routes import pages
from messaging.guest_page import help_views, views

urlpatterns = pages(
    ("g/<str:token>/", views.guest_page),
    ("g/<str:token>/doors/<int:lock_id>/help/", help_views.guest_door_help),
    ("g/<str:token>/check-out/", help_views.guest_check_out_view, "guest_check_out"),
)
