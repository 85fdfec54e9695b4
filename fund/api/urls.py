from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    ChannelViewSet,
    DemandView,
    EventViewSet,
    FaqView,
    NoticeViewSet,
    PacketViewSet,
    PipelineView,
)

router = SimpleRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("coordination/packets", PacketViewSet, basename="packet")
router.register("events", EventViewSet, basename="event")
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = [
    path("pipeline/", PipelineView.as_view(), name="pipeline"),
    path("stats/demand/", DemandView.as_view(), name="stats-demand"),
    path("faq/", FaqView.as_view(), name="faq"),
    *router.urls,
]
