from django.urls import path

from fund.overview import views

app_name = "overview"
urlpatterns = [path("ministry/", views.overview, name="ministry")]
