"""Serializers of the Data Sync records."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from nautobot.apps.api import BaseModelSerializer, ChoiceField, ContentTypeField
from nautobot.apps.utils import get_route_for_model
from rest_framework import serializers

from nautobot_data_sync.choices import (
    ChangeActionChoices,
    ChangeStatusChoices,
    ShardStageChoices,
    ShardStatusChoices,
    SyncPhaseChoices,
    SyncStatusChoices,
)
from nautobot_data_sync.models import Sync, SyncChange, SyncPhase, SyncShard


class SyncPhaseSerializer(serializers.ModelSerializer):
    """One phase of a Data Sync, nested in its Sync (phases have no endpoint of their own)."""

    name = ChoiceField(choices=SyncPhaseChoices, read_only=True)

    class Meta:
        model = SyncPhase
        fields = (
            "id",
            "shard",
            "name",
            "start_time",
            "duration",
            "query_count",
            "object_count",
            "memory_final",
            "memory_peak",
            "parallel",
            "succeeded",
            "profile",
        )
        read_only_fields = fields


class SyncShardSerializer(serializers.ModelSerializer):
    """One job run of a sharded Data Sync, nested in its Sync."""

    stage = ChoiceField(choices=ShardStageChoices, read_only=True)
    status = ChoiceField(choices=ShardStatusChoices, read_only=True)

    class Meta:
        model = SyncShard
        exclude = ("sync",)
        read_only_fields = ("id", "number", "key", "scope", "job_result", "attempts", "start_time", "end_time")


class SyncSerializer(BaseModelSerializer):
    """A Data Sync with its phases and its counts of changes."""

    status = ChoiceField(choices=SyncStatusChoices, read_only=True)
    duration = serializers.DurationField(read_only=True, allow_null=True, help_text="Wall time; null while running.")
    phases = SyncPhaseSerializer(many=True, read_only=True)
    shards = SyncShardSerializer(many=True, read_only=True)

    class Meta:
        model = Sync
        fields = "__all__"
        # `phases` and `shards` are lists of related records: shown unless `?exclude_m2m=true`.
        default_m2m_fields = ["phases", "shards"]


class SyncChangeSerializer(BaseModelSerializer):
    """One planned or executed change of a Data Sync."""

    action = ChoiceField(choices=ChangeActionChoices, read_only=True)
    status = ChoiceField(choices=ChangeStatusChoices, read_only=True)
    changed_object_type = ContentTypeField(read_only=True)
    changed_object = serializers.SerializerMethodField(read_only=True)

    class Meta:
        model = SyncChange
        fields = "__all__"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changed_object(self, obj):
        """Brief form of the changed Nautobot object, built from the stored link without loading the object.

        ``{id, object_type, url}``, plus ``display`` (the text recorded with the change) at ``?depth`` 1 or more.
        The object may have been deleted since the change was recorded; ``url`` then answers 404.
        """
        if obj.changed_object_type_id is None or obj.changed_object_id is None:
            return None
        content_type = obj.changed_object_type
        model = content_type.model_class()
        url = None
        if model is not None:
            try:
                url = reverse(get_route_for_model(model, "detail", api=True), kwargs={"pk": obj.changed_object_id})
            except NoReverseMatch:
                url = None
        request = self.context.get("request")
        if url is not None and request is not None:
            url = request.build_absolute_uri(url)
        brief = {
            "id": obj.changed_object_id,
            "object_type": f"{content_type.app_label}.{content_type.model}",
            "url": url,
        }
        if self.context.get("depth", 0) > 0:
            brief["display"] = obj.object_repr
        return brief
