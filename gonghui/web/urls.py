from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("scope/", views.switch_scope, name="switch_scope"),
    path("me/", views.me, name="me"),
]
