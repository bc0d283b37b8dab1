"""FilterSets of the Data Sync records, shared by the UI list views and the REST API."""

# django-filter's own class (Nautobot's subclass is in nautobot.apps from 3.2 on), without its default DISTINCT: a
# choice of a record's own column never repeats a row (Nautobot 3.2's subclass derives distinct=False for these too).
from django_filters import MultipleChoiceFilter
from nautobot.apps.filters import (
    BaseFilterSet,
    ContentTypeFilter,
    NaturalKeyOrPKMultipleChoiceFilter,
    SearchFilter,
)
from nautobot.extras.models import Job

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync, SyncChange


class SyncFilterSet(BaseFilterSet):
    """Filter Data Syncs; `start_time__gte` / `start_time__lte` (and the other lookups) come from Meta.fields."""

    q = SearchFilter(
        filter_predicates={
            "source": "icontains",
            "target": "icontains",
            "job__name": "icontains",
        },
    )
    job = NaturalKeyOrPKMultipleChoiceFilter(
        to_field_name="name",
        queryset=Job.objects.all(),
        label="Job (name or ID)",
    )
    status = MultipleChoiceFilter(choices=SyncStatusChoices, null_value=None, distinct=False)

    class Meta:
        model = Sync
        fields = [
            "id",
            "job_result",
            "source",
            "target",
            "dry_run",
            "start_time",
            "end_time",
            "create_count",
            "update_count",
            "delete_count",
            "unchanged_count",
            "failed_count",
            "skipped_count",
            "conflict_count",
            "kept_count",
            "drifted_count",
            "plan",
            "reverts",
        ]


class SyncChangeFilterSet(BaseFilterSet):
    """Filter the changes of one or more Data Syncs."""

    q = SearchFilter(
        filter_predicates={
            "unique_id": "icontains",
            "object_repr": "icontains",
        },
    )
    action = MultipleChoiceFilter(choices=ChangeActionChoices, null_value=None, distinct=False)
    status = MultipleChoiceFilter(choices=ChangeStatusChoices, null_value=None, distinct=False)
    changed_object_type = ContentTypeFilter()

    class Meta:
        model = SyncChange
        fields = [
            "id",
            "sync",
            "shard",
            "sequence",
            "model_name",
            "unique_id",
            "changed_object_id",
            "object_repr",
        ]
