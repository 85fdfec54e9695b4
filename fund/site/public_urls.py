from django.urls import path

from fund.site import home_views as views
from fund.site import public_views

urlpatterns = [
    path("", views.home, name="home"),
    path("channels/<slug:code>/", public_views.channel_detail, name="channel_detail"),
    path("alliance/", public_views.alliance_overview, name="alliance_overview"),
]
