from django.urls import path
from rest_framework.routers import SimpleRouter

from fund.api.views import (
    ChannelViewSet,
    DemandView,
    EventViewSet,
    FaqView,
    NoticeViewSet,
    PacketViewSet,
    PipelineView,
    ProposalViewSet,
)

router = SimpleRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("coordination/packets", PacketViewSet, basename="packet")
router.register("events", EventViewSet, basename="event")
router.register("notices", NoticeViewSet, basename="notice")
router.register("proposals", ProposalViewSet, basename="proposal")
urlpatterns = [
    path("pipeline/", PipelineView.as_view(), name="pipeline"),
    path("stats/demand/", DemandView.as_view(), name="stats-demand"),
    path("faq/", FaqView.as_view(), name="faq"),
    *router.urls,
]
