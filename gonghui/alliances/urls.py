from django.urls import path

from . import views

app_name = "alliances"
urlpatterns = [
    path("alliances/", views.index, name="index"),
    path("alliances/<int:pk>/", views.detail, name="detail"),
    path("alliances/<int:pk>/charter/", views.charter, name="charter"),
    path("alliances/<int:pk>/members/new/", views.member_join, name="member_join"),
    path("alliances/<int:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("alliance-members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("orgs/<int:org_id>/alliances/new/", views.create, name="create"),
]
