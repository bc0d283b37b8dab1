"""UI routes, under /plugins/data-sync/ (route names follow NautobotUIViewSetRouter: sync, sync_list, ...)."""

from nautobot.apps.urls import NautobotUIViewSetRouter

from nautobot_data_sync.views import SyncChangeUIViewSet, SyncUIViewSet

router = NautobotUIViewSetRouter()
router.register("syncs", SyncUIViewSet)
router.register("changes", SyncChangeUIViewSet)

urlpatterns = router.urls
