from config.routes import pages
from messaging.guest_page import language_views, views

urlpatterns = pages(
    ("g/<str:token>/", language_views.in_stay_language(views.guest_page), "guest_page"),
    ("g/<str:token>/language/", language_views.guest_language),
)
