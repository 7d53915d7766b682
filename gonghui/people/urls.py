from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("orgs/<int:org_id>/roll/", views.roll, name="roll"),
    path("orgs/<int:org_id>/roll/export.xlsx", views.roll_export, name="roll_export"),
    path("orgs/<int:org_id>/people/new/", views.register, name="register"),
    path("orgs/<int:org_id>/transfers/new/", views.transfer_request, name="transfer_request"),
    path("people/<int:pk>/", views.detail, name="detail"),
    path("people/<int:pk>/edit/", views.edit, name="edit"),
    path("people/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("people/<int:pk>/rejoin/", views.rejoin, name="rejoin"),
    path("memberships/<int:pk>/transition/", views.transition, name="transition"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
]
