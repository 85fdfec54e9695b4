"""Firms. The proposals resource is registered by fund.api with the matching and fund actions."""

from rest_framework.routers import SimpleRouter

from alliance.api.views import FirmViewSet

router = SimpleRouter()
router.register("firms", FirmViewSet, basename="firm")
urlpatterns = router.urls
