from django.urls import path

from . import views_checkin as views

app_name = "checkin"
urlpatterns = [
    path("sessions/<int:pk>/checkins/", views.checkin_list, name="list"),
    path("sessions/<int:pk>/checkins/poster/", views.poster, name="poster"),
    path("sessions/<int:pk>/checkins/rotate/", views.rotate, name="rotate"),
    path("sessions/<int:pk>/checkins/scanner/", views.scanner, name="scanner"),
    path("sessions/<int:pk>/checkins/sync/", views.sync, name="sync"),
    path("sessions/<int:pk>/checkins/walkin/", views.walkin, name="walkin"),
    # The poster's QR code: a worker scans it with the phone and checks in.
    path("checkin/<int:pk>/<str:token>/", views.scan, name="scan"),
]
