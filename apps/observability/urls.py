from django.urls import path

from . import views

app_name = "observability"

urlpatterns = [
    path("system/", views.system_dashboard, name="system"),
]
