from django.urls import path

from . import public_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("channels/<slug:code>/", public_views.channel_detail, name="channel_detail"),
    path("alliance/", public_views.alliance_overview, name="alliance_overview"),
    path("dashboard/", public_views.staff_dashboard, name="staff_dashboard"),
]
