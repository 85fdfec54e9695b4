from rest_framework.routers import SimpleRouter

from .views import RuleSetViewSet

router = SimpleRouter()
router.register("rulesets", RuleSetViewSet, basename="ruleset")
urlpatterns = router.urls
