from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.index, name="index"),
    path("imports/templates/<slug:kind>.xlsx", views.template, name="template"),
    path("orgs/<int:org_id>/imports/new/", views.new, name="new"),
    path("imports/<uuid:pk>/", views.job, name="job"),
    path("imports/<uuid:pk>/apply/", views.apply, name="apply"),
    path("imports/<uuid:pk>/errors.xlsx", views.errors, name="errors"),
]
