from django.contrib.auth import views as auth_views
from django.urls import path

from yiwang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    # Django's LogoutView accepts POST only (a GET link cannot sign anyone out).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register_view, name="register"),
]
