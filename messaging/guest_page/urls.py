from config.routes import pages
from messaging.guest_page import help_views, language_views, views

# Every guest page answers in its stay's language (else the browser's).
speaks = language_views.in_stay_language

urlpatterns = pages(
    ("g/<str:token>/", speaks(views.guest_page), "guest_page"),
    ("g/<str:token>/language/", language_views.guest_language),
    (
        "g/<str:token>/doors/<int:lock_id>/help/",
        speaks(help_views.guest_door_help),
        "guest_door_help",
    ),
    ("g/<str:token>/check-out/", speaks(help_views.guest_check_out_view), "guest_check_out"),
    ("g/<str:token>/photo/<str:kind>/<int:object_id>/", views.guest_photo),
)
