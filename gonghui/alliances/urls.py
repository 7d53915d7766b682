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
urlpatterns += [
    path("alliances/<int:pk>/rotation/", views.rotation, name="rotation"),
    path("alliances/<int:pk>/rotation/generate/", views.rotation_generate, name="rotation_generate"),
    path("rotation-turns/<int:pk>/swap/", views.turn_swap, name="turn_swap"),
    path("rotation-turns/<int:pk>/skip/", views.turn_skip, name="turn_skip"),
    path("rotation-turns/<int:pk>/done/", views.turn_done, name="turn_done"),
    path("rotation-turns/<int:pk>/link/", views.turn_link, name="turn_link"),
    path("alliance-members/<int:pk>/rotation/", views.member_rotation, name="member_rotation"),
    path("alliance-members/<int:pk>/blackouts/new/", views.blackout_add, name="blackout_add"),
    path("member-blackouts/<int:pk>/delete/", views.blackout_delete, name="blackout_delete"),
]
