from django.urls import path

from . import views

app_name = "alliance"
urlpatterns = [
    path("workspace/", views.dashboard, name="dashboard"),
]
