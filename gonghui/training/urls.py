from __future__ import annotations

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("orgs/<int:org_id>/training/", views.index, name="index"),
    path("orgs/<int:org_id>/training/new/", views.create, name="create"),
    path("training/template.xlsx", views.template, name="template"),
    path("training/<int:pk>/", views.detail, name="detail"),
    path("training/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("training/<int:pk>/coverage.xlsx", views.export, name="export"),
    path("training/batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("training/batches/<int:pk>/sync/", views.batch_sync, name="batch_sync"),
    path("training/assignments/<int:pk>/attendance/", views.attendance, name="attendance"),
]
