from django.urls import path

from . import views

app_name = "etl_dashboard"

urlpatterns = [
    path("", views.etl_dashboard, name="home"),
    path("ejecutar/", views.etl_run_now, name="run_now"),
]
