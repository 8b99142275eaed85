"""Public verification URLs: /c/<code>, /c/<code>.pdf, .png and .json."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("c/<str:code>.pdf", views.certificate_pdf, name="pdf"),
    path("c/<str:code>.png", views.certificate_png, name="png"),
    path("c/<str:code>.json", views.certificate_json, name="json"),
    path("c/<str:code>", views.verify, name="verify"),
]
