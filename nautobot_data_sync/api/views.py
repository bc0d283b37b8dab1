"""REST API views: Data Syncs (read and delete, for retention) and their changes (read-only)."""

from nautobot.apps.api import BulkDestroyModelMixin, ReadOnlyModelViewSet
from rest_framework.mixins import DestroyModelMixin

from nautobot_data_sync.api.serializers import SyncChangeSerializer, SyncSerializer
from nautobot_data_sync.filters import SyncChangeFilterSet, SyncFilterSet
from nautobot_data_sync.models import Sync, SyncChange


class SyncViewSet(DestroyModelMixin, BulkDestroyModelMixin, ReadOnlyModelViewSet):
    """Data Syncs with their phases; DELETE removes a sync with its phases and changes."""

    queryset = Sync.objects.select_related("job", "job_result").prefetch_related("phases", "shards")
    serializer_class = SyncSerializer
    filterset_class = SyncFilterSet


class SyncChangeViewSet(ReadOnlyModelViewSet):
    """The changes of Data Syncs; filter with `?sync=<id>`."""

    queryset = SyncChange.objects.select_related("changed_object_type")
    serializer_class = SyncChangeSerializer
    filterset_class = SyncChangeFilterSet
