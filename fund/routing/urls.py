"""KEIT's routing pages (both secretariats read them), under /secretariat/routing/."""

from django.urls import path

from fund.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("pause/", views.routing_pause, name="pause"),
    path("resume/", views.routing_resume, name="resume"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/preview/", views.policy_preview, name="policy_preview"),
    path("policies/<int:pk>/activate/", views.policy_activate, name="policy_activate"),
]
