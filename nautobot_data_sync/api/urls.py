"""REST API routes, under /api/plugins/data-sync/."""

from nautobot.apps.api import OrderedDefaultRouter

from nautobot_data_sync.api.views import SyncChangeViewSet, SyncViewSet

router = OrderedDefaultRouter(view_name="Data Sync")
router.register("syncs", SyncViewSet)
router.register("changes", SyncChangeViewSet)

urlpatterns = router.urls
