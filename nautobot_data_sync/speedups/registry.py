"""Every speed-up, and the sources of Nautobot (and of the libraries under it) that each was reviewed against.

A speed-up replaces or re-implements functions of Nautobot, Django or a library for the length of a sync. Each
entry below names those functions (``"module:Qualified.name"``) with the digests of the sources it was reviewed
against and the Nautobot versions that ship them. At run time a speed-up is on only while every one of its
functions has a reviewed source (``enabled()``); otherwise the sync takes the slower path Nautobot itself takes,
and the job log says so once. ``tests/speedups/test_registry.py`` checks every digest against the installed
Nautobot, on each Nautobot version CI runs.

To review a new Nautobot release: run that test on it, read each differing function against the module that
relies on it (named in the entry), then add the new digest with its version.
"""

import hashlib
import importlib
import inspect
import linecache
import threading
from dataclasses import dataclass
from functools import cache

import nautobot
from packaging.version import Version

CONFIGURATION = "configuration read once"
DISPATCH = "change records dispatched in chunks"
HEAP = "heap frozen"
VALIDATION = "validation per batch"
SERIALIZATION = "change records serialized per batch"
SAVE_TIME = "save-time side effects in bulk"
THREADS = "job log from loader threads"
DEFERRAL = "change records of one-by-one writes built per batch"
COPY_ROWS = "rows inserted with COPY"
VALUES_UPDATE = "rows updated from a VALUES list"
IDENTIFIERS = "identifiers read from fields"
MANY_TO_MANY = "many-to-many values written per batch"
SHARED_FIELD_NAMES = "set field names shared between models"
PRIVATE_DEFAULTS = "private attributes copied from constant defaults"
JSON_TEXT = "JSON columns encoded with orjson"
OBJECT_CHANGES = "change records built from their values in order"


@dataclass(frozen=True)
class SpeedUp:
    """One change to Nautobot's behaviour: ``sources`` maps each function it relies on to ``{digest: versions}``."""

    name: str
    module: str
    what: str
    sources: dict
    since: str = ""
    """The first Nautobot release it applies to: older ones lack what it relies on, and it is off there, by design."""

    def applies(self):
        return not self.since or Version(nautobot.__version__) >= Version(self.since)

    def unreviewed(self):
        """The functions whose installed source is not one this speed-up was reviewed against (none where it does
        not apply)."""
        if not self.applies():
            return []
        return [path for path, reviewed in self.sources.items() if source_digest(path) not in reviewed]


ABSENT = "absent"
"""The "digest" of a method a class does not define (in a Nautobot version where it has none of its own)."""
V31 = "Nautobot 3.1.8"
V32 = "Nautobot 3.2.7"
V31_32 = "Nautobot 3.1.8, 3.2.7"
DESCRIPTORS = "django.db.models.fields.related_descriptors"
COMPONENTS = "nautobot.dcim.models.device_components"
VALIDATORS = "nautobot.data_validation.custom_validators"
CUSTOM_FIELDS = "nautobot.extras.models.customfields"
ENDPOINT = "nautobot.dcim.api.serializers:PathEndpointModelSerializerMixin"
REDIS_CLIENT = "django_redis.client.default:DefaultClient"
MODEL_CONSTRUCTION = "pydantic._internal._model_construction"

SPEEDUPS = {
    speedup.name: speedup
    for speedup in (
        SpeedUp(
            CONFIGURATION,
            "speedups.config",
            "Constance settings and cached values read once per key while the sync writes and Nautobot dispatches "
            "its change records; a cached queryset answers `in` with a set look-up",
            {
                "constance.base:Config.__getattr__": {"91c31038d79f": V31_32},
                "constance.base:Config._get_sync_value": {"72479992a6e9": V31_32},
                "nautobot.core.utils.config:get_settings_or_config": {"5ca49d0330bc": V32, "3fa1adb04ceb": V31},
                "nautobot.extras.utils:change_logged_models_queryset": {"d0fa00985b24": V31_32},
                "nautobot.extras.jobs:enqueue_job_hooks": {"adb8a8a3e9e0": V32, "8068c59b1182": V31},
            },
        ),
        SpeedUp(
            DISPATCH,
            "speedups.dispatch",
            "Nautobot's post-job dispatch reads its change records' data in chunks, and builds no snapshots that no "
            "webhook or event broker takes; it walks no record when no job hook, webhook or event broker takes any",
            {
                "django.db.models.query:QuerySet.iterator": {"a9ee0ddc811e": V31_32},
                "nautobot.extras.jobs:enqueue_job_hooks": {"adb8a8a3e9e0": V32, "8068c59b1182": V31},
                "nautobot.extras.context_managers:web_request_context": {"b2315e6410e1": V32, "987c9194b9da": V31},
                "nautobot.extras.models.change_logging:ObjectChange.get_snapshots": {"e1165886bd8c": V31_32},
                "nautobot.extras.models.change_logging:ObjectChange.get_prev_change": {"9b6666f3d017": V31_32},
                "nautobot.extras.webhooks:enqueue_webhooks": {"59b78a36205c": V31_32},
                "nautobot.core.events:publish_event": {"7c51183b3dfe": V31_32},
                "nautobot.core.events:is_topic_match": {"858b9aa5edd7": V31_32},
            },
        ),
        SpeedUp(
            HEAP,
            "speedups.heap",
            "the objects alive when the sync starts are kept out of Python's full garbage collections, and no "
            "automatic collection runs while it loads and diffs; what each written batch leaves alive joins them; "
            "the adapters' stores emptied once the job ends, so that its loaded models go without a full collection",
            {
                "diffsync.store.local:LocalStore.__init__": {"9ba5e2315254": V31_32},
                "diffsync.store:BaseStore.__init__": {"52d6a111205f": V31_32},
            },
        ),
        SpeedUp(
            VALIDATION,
            "speedups.validation",
            "the per-object queries of Nautobot's clean() methods (component and device names, validation rules, "
            "custom fields, tree ancestors, a tree node's cycle check) answered once per batch; new objects read no "
            "relations",
            {
                f"{COMPONENTS}:ModularComponentModel.clean": {
                    "723579611c0e": V32,
                    "77a193d602b0": V31,
                },
                "nautobot.dcim.custom_validators:DeviceUniquenessValidator.clean": {"0ba9cd9396c8": V31_32},
                f"{VALIDATORS}:BaseValidator.clean": {
                    "2f79297b5e0f": V32,
                    "a8328dc2f855": V31,
                },
                f"{CUSTOM_FIELDS}:CustomFieldManager.get_for_model": {
                    "dab8c9142879": V32,
                    "34c65f8ef88f": V31,
                },
                f"{CUSTOM_FIELDS}:CustomFieldModel.clean": {"a0d44141a65c": V31_32},
                "tree_queries.models:TreeNode.ancestors": {"12615fdf86d5": V31_32},
                "django.db.models.query:QuerySet.values_list": {"8b0004f538c4": V31_32},
                "tree_queries.models:TreeNode.clean": {"8a0f9ddaf5c2": V31_32},
                "nautobot.core.models.tree_queries:TreeQuerySet.ancestors": {"6de2c60aa84f": V31_32},
                f"{DESCRIPTORS}:create_forward_many_to_many_manager": {"9daa2aa64d01": V31_32},
                f"{DESCRIPTORS}:create_reverse_many_to_one_manager": {"3d4329019191": V31_32},
            },
        ),
        SpeedUp(
            SERIALIZATION,
            "speedups.serialization",
            "a batch's change-record data serialized together, with the same result as Nautobot's per-object "
            "serialization: nested objects, URLs, natural slugs and custom field keys computed once, a serializer's "
            "readable fields listed once, many-to-many values prefetched into lists, Django's JSON round trip of "
            "each object's data left out (its plain field values read from the attributes)",
            {
                "nautobot.extras.models.change_logging:ChangeLoggedModel.to_objectchange": {"160d7c4a5485": V31_32},
                "nautobot.core.models.utils:serialize_object": {"2a820fb6a1c2": V31_32},
                "django.core.serializers.json:Serializer._init_options": {"c41997fd8b64": V31_32},
                "django.core.serializers.json:Serializer.end_object": {"bf5763b0fe31": V31_32},
                "django.core.serializers.base:Serializer.serialize": {"a6ec533aff3d": V31_32},
                "django.core.serializers.python:Serializer._value_from_field": {"eeb6c80fd65d": V31_32},
                "django.core.serializers.python:Serializer.handle_field": {"6f511459c480": V31_32},
                "django.core.serializers.python:Serializer.handle_fk_field": {"f107fd4fe331": V31_32},
                "django.db.models.fields:Field.value_from_object": {"691ae1300f9f": V31_32},
                "django.db.models.fields:Field.value_to_string": {"cd05c3a82aa3": V31_32},
                "django.utils.encoding:is_protected_type": {"52a17509f95f": V31_32},
                "django.core.serializers.json:DjangoJSONEncoder.default": {"92742928d37c": V31_32},
                "rest_framework.fields:Field.get_attribute": {"d6478027a6aa": V31_32},
                "rest_framework.fields:get_attribute": {"317c25d7087e": V31_32},
                "rest_framework.serializers:ListSerializer.to_representation": {"b4fe0cf6b01b": V31_32},
                "rest_framework.serializers:Serializer.to_representation": {"f2d1de6d682c": V31_32},
                "rest_framework.serializers:Serializer._readable_fields": {"9d978266584e": V31_32},
                "rest_framework.fields:CharField.to_representation": {"34de3ff2c6c1": V31_32},
                "rest_framework.fields:IntegerField.to_representation": {"6956942bbe57": V31_32},
                "taggit.managers:TaggableManager.__get__": {"493642eeda0c": V31_32},
                "taggit.managers:_TaggableManager.get_queryset": {"f6e80dfdb7a0": V31_32},
                "nautobot.core.models.utils:is_taggable": {"dd72ba2eb265": V31_32},
                f"{DESCRIPTORS}:create_forward_many_to_many_manager": {"9daa2aa64d01": V31_32},
                "nautobot.core.models.utils:serialize_object_v2": {"b5807da47465": V31_32},
                "nautobot.core.models.utils:construct_natural_slug": {"0375bfee15a0": V31_32},
                "slugify.slugify:slugify": {"2033606c4e3f": V31_32},
                "nautobot.core.models:BaseModel.natural_slug": {"c7ad1b1b7b62": V31_32},
                "nautobot.core.models:BaseModel.natural_key_field_lookups": {"3de501242942": V32, "af56cbb04b11": V31},
                "nautobot.core.api.serializers:BaseModelSerializer.get_natural_slug": {"93dd9bc2c7ca": V31_32},
                "nautobot.core.api.serializers:NotesSerializerMixin.get_notes_url": {"bbb945710e43": V31_32},
                f"{ENDPOINT}.get_connected_endpoint_type": {"0b78930c07a7": V32, "aef6b06a46c5": V31},
                f"{ENDPOINT}.get_connected_endpoint": {"740636d9aca7": V32, "fe5e146494b7": V31},
                f"{ENDPOINT}.get_connected_endpoint_reachable": {"92ffb7276a43": V32, "5e71d764c659": V31},
                "nautobot.extras.api.customfields:CustomFieldsDataField.to_representation": {"d1e11cac570d": V31_32},
                "rest_framework.relations:HyperlinkedRelatedField.get_url": {"9df86433b770": V31_32},
                "rest_framework.fields:DateTimeField.enforce_timezone": {"7d234af34f56": V31_32},
                "django.core.serializers.python:Serializer.handle_m2m_field": {"78067eb76088": V31_32},
            },
        ),
        SpeedUp(
            SAVE_TIME,
            "speedups.savetime",
            "what save() and Nautobot's save signals do, reproduced for objects written in batches (device "
            "components, interface defaults, tree caches, the change log); a model whose save() or save signals "
            "do anything else is written one by one; a tree's cache upkeep once for a sync's deletes",
            {
                "nautobot.dcim.models.devices:Device.save": {"671ae89cae3e": V31_32},
                "nautobot.dcim.models.devices:Device.create_components": {"e8c432d5f0cd": V31_32},
                "nautobot.dcim.models.devices:DeviceType.save": {"5d3b88869136": V31_32},
                f"{COMPONENTS}:BaseInterface.save": {"e34d446841fa": V31_32},
                f"{COMPONENTS}:ModularComponentModel.save": {"e75854dc4a55": V32, ABSENT: V31},
                f"{COMPONENTS}:CableTermination.save": {"e6869277fbe7": V32, ABSENT: V31},
                "nautobot.ipam.models:VLAN.save": {"6006a7c229ec": V31_32},
                "nautobot.core.models.tree_queries:TreeModel.save": {"cf5cc6437c18": V31_32},
                "nautobot.core.models.tree_queries:TreeModel.delete": {"c172c80e0fb7": V31_32},
                "nautobot.core.signals:invalidate_max_depth_cache": {"acd7429afe83": V31_32},
                f"{REDIS_CLIENT}.delete_pattern": {"c3b56fcbb372": V32, "297700b75c4b": V31},
                f"{REDIS_CLIENT}.iter_keys": {"8a73be16f14f": V32, "c3a0c241c553": V31},
                "nautobot.extras.signals:_handle_changed_object_pre_save": {"a49cea12af0c": V31_32},
                "nautobot.extras.signals:_handle_changed_object": {"5576683efe8d": V32, "16d76f6c200c": V31},
                "nautobot.extras.signals:_handle_deleted_object": {"97490df80065": V31_32},
                "django.dispatch.dispatcher:Signal._live_receivers": {"0a7af5d851f7": V31_32},
            },
        ),
        SpeedUp(
            MANY_TO_MANY,
            "speedups.manytomany",
            "the many-to-many values of a batch's objects read once and written in one statement per field, as the "
            "managers' set() and add() write them, where only Nautobot's change logging listens to their signals",
            {
                f"{DESCRIPTORS}:create_forward_many_to_many_manager": {"9daa2aa64d01": V31_32},
                "taggit.managers:_TaggableManager.add": {"a21476b9ba7c": V31_32},
                "taggit.managers:_TaggableManager.set": {"3855edbf3b67": V31_32},
                "taggit.managers:_TaggableManager.remove": {"5093d60ecd43": V31_32},
                "taggit.managers:_TaggableManager._remove_prefetched_objects": {"e8bbedaa02a1": V31_32},
                "django.dispatch.dispatcher:Signal._live_receivers": {"0a7af5d851f7": V31_32},
                "nautobot.extras.signals:_handle_changed_object_pre_save": {"a49cea12af0c": V31_32},
                "nautobot.extras.signals:_handle_changed_object": {"5576683efe8d": V32, "16d76f6c200c": V31},
            },
        ),
        SpeedUp(
            THREADS,
            "speedups.threads",
            "the loaders of a parallel sync log into the job's log from their own threads (Celery's current task)",
            {
                "celery._state:push_current_task": {"b5697ade5a4a": V31_32},
                "celery._state:pop_current_task": {"6847e9a54251": V31_32},
                "nautobot.core.celery.log:NautobotDatabaseHandler.emit": {"c975f08c1108": V31_32},
            },
        ),
        SpeedUp(
            DEFERRAL,
            "speedups.deferral",
            "the change records of one-by-one writes deferred as Nautobot's bulk edits defer them, and built per batch",
            {
                "nautobot.extras.signals:_create_or_update_object_change": {"d9cb9d6d124c": V32},
                "nautobot.extras.signals:_handle_changed_object": {"5576683efe8d": V32},
                "nautobot.extras.signals:_handle_deleted_object": {"97490df80065": V31_32},
                "nautobot.extras.context_managers:ChangeContext.get_user": {"1a45bd7086a6": V31_32},
            },
            since="3.2",  # Nautobot 3.1 records a change inline in its save signal, with nothing to defer it by
        ),
        SpeedUp(
            COPY_ROWS,
            "speedups.copyrows",
            "the rows bulk_create() would insert (created objects, change records, the sync's records), each value "
            "prepared as it prepares them, sent with PostgreSQL's COPY instead of a multi-row INSERT; a value of a "
            "type Django's own field methods prepare into itself (a str of a CharField, an aware datetime its "
            "DateTimeField stamps...) taken as it is",
            {
                "django.db.models.query:QuerySet.bulk_create": {"f822e0fc4c40": V31_32},
                "django.db.models.query:QuerySet._prepare_for_bulk_create": {"71975a9305a3": V31_32},
                "django.db.models.sql.compiler:SQLInsertCompiler.as_sql": {"497ecc56a091": V31_32},
                "django.db.models.sql.compiler:SQLInsertCompiler.prepare_value": {"2e49a07e78af": V31_32},
                "django.db.models.sql.compiler:SQLInsertCompiler.pre_save_val": {"f9efbaa8ba5c": V31_32},
                "django.db.backends.utils:CursorWrapper._execute_with_wrappers": {"1f629e7adeb9": V31_32},
                "django.db.models.fields:Field.pre_save": {"09aa95090848": V31_32},
                "django.db.models.fields:Field.get_db_prep_save": {"b095edabbe2f": V31_32},
                "django.db.models.fields:Field.get_db_prep_value": {"00c11e761b7f": V31_32},
                "django.db.models.fields:Field.get_prep_value": {"7aa16ded6e6e": V31_32},
                "django.db.models.fields:CharField.get_prep_value": {"6d31653d6fa8": V31_32},
                "django.db.models.fields:CharField.to_python": {"1bd5528c714e": V31_32},
                "django.db.models.fields:TextField.get_prep_value": {"6d31653d6fa8": V31_32},
                "django.db.models.fields:TextField.to_python": {"1bd5528c714e": V31_32},
                "django.db.models.fields:BooleanField.get_prep_value": {"9b980109f175": V31_32},
                "django.db.models.fields:BooleanField.to_python": {"e92368f992eb": V31_32},
                "django.db.models.fields:IntegerField.get_prep_value": {"ddfa8ddcff2a": V31_32},
                "django.db.models.fields:IntegerField.get_db_prep_value": {"70f783d82074": V31_32},
                "django.db.backends.base.operations:BaseDatabaseOperations.adapt_integerfield_value": {
                    "5ea96857c3ca": V31_32
                },
                "django.db.backends.postgresql.operations:DatabaseOperations.adapt_integerfield_value": {
                    ABSENT: V31_32
                },
                "django.db.models.fields:IntegerField.to_python": {"72f581ca76bb": V31_32},
                "django.db.models.fields:AutoFieldMixin.get_db_prep_value": {"94d55ac9fa03": V31_32},
                "django.db.models.fields:DateTimeField.pre_save": {"e9c2e4104bbf": V31_32},
                "django.db.models.fields:DateTimeField.get_prep_value": {"58343090d9eb": V31_32},
                "django.db.models.fields:DateTimeField.get_db_prep_value": {"cf23bb680375": V31_32},
                "django.db.models.fields:DateTimeField.to_python": {"4700d61ac19e": V31_32},
                "django.db.models.fields:DateField.get_prep_value": {"6d31653d6fa8": V31_32},
                "django.db.backends.postgresql.operations:DatabaseOperations.adapt_datetimefield_value": {
                    "3379b01cace3": V31_32
                },
                "django.db.backends.base.operations:BaseDatabaseOperations.validate_autopk_value": {
                    "af8b60bffb35": V31_32
                },
                "django.db.backends.postgresql.operations:DatabaseOperations.validate_autopk_value": {ABSENT: V31_32},
                "django.db.models.fields:UUIDField.get_db_prep_value": {"7c4bb226c1eb": V31_32},
                "django.db.models.fields:UUIDField.get_prep_value": {"6d31653d6fa8": V31_32},
                "django.db.models.fields:UUIDField.to_python": {"a122e47b92a3": V31_32},
                "django.db.models.fields.related:ForeignKey.get_db_prep_save": {"6f5f4162926e": V31_32},
                "django.db.models.base:Model._prepare_related_fields_for_save": {"d6d6a4ed2512": V31_32},
                "django.db.models.fields.mixins:FieldCacheMixin.is_cached": {"53fbfab40150": V31_32},
            },
        ),
        SpeedUp(
            VALUES_UPDATE,
            "speedups.valuesupdate",
            "the rows bulk_update() would update (a batch's changed fields), each value prepared and cast as it "
            "prepares and casts them, set from one VALUES list joined on the primary key instead of CASE expressions",
            {
                "django.db.models.query:QuerySet.bulk_update": {"2369a42464b0": V31_32},
                "django.db.models.sql.compiler:SQLUpdateCompiler.as_sql": {"3fd8726c853d": V31_32},
                "django.db.models.expressions:Value.as_sql": {"822c93db50b8": V31_32},
                "django.db.models.functions.comparison:Cast.as_sql": {"6b993d3df3d6": V31_32},
                "django.db.models.functions.comparison:Cast.as_postgresql": {"4be83fee317a": V31_32},
            },
        ),
        SpeedUp(
            IDENTIFIERS,
            "speedups.identifiers",
            "a declarative model's identifiers of plain types read from its fields instead of through pydantic's "
            "serializer (diffsync's get_identifiers() is a model_dump()); its unique id kept once computed, until an "
            "identifier is set",
            {
                "diffsync:DiffSyncModel.get_identifiers": {"08d60903b6ab": V31_32},
                "diffsync:DiffSyncModel.get_unique_id": {"71c968bf4605": V31_32},
                "diffsync:DiffSyncModel.create_unique_id": {"cddcafab7db1": V31_32},
                "diffsync:DiffSyncModel.dict": {"bb1664e9c46d": V31_32},
                "pydantic.main:BaseModel.model_dump": {"4fe21d887148": V31_32},
            },
        ),
        SpeedUp(
            SHARED_FIELD_NAMES,
            "speedups.fieldnames",
            "a declarative model's set of given field names (pydantic's model_fields_set) shared with the models of "
            "its class given the same; before pydantic adds a name to it, the model moves to the shared set with it",
            {
                "pydantic.main:BaseModel.__setattr__": {"8cd9bd596dc5": V31_32},
                "pydantic.main:_model_field_setattr_handler": {"4160ceeaf23e": V31_32},
                "pydantic.main:BaseModel.model_copy": {"a6eaf7abde4d": V31_32},
                "pydantic.main:BaseModel.__copy__": {"b7d7d686b729": V31_32},
                "pydantic.main:BaseModel.__deepcopy__": {"a2c27835e117": V31_32},
            },
        ),
        SpeedUp(
            PRIVATE_DEFAULTS,
            "speedups.privates",
            "a declarative model's private attributes started as a copy of their constant defaults, instead of "
            "pydantic's init_private_attributes() (a deep copy per attribute, run once per class level)",
            {
                f"{MODEL_CONSTRUCTION}:init_private_attributes": {"868effa3fc04": V31_32},
                f"{MODEL_CONSTRUCTION}:ModelMetaclass.__new__": {"03bfc9a0d3cf": V31_32},
                f"{MODEL_CONSTRUCTION}:get_model_post_init": {"15013165929c": V31_32},
                "pydantic.main:BaseModel.model_construct": {"8090bfbf985a": V31_32},
            },
        ),
        SpeedUp(
            JSON_TEXT,
            "speedups.jsontext",
            "the JSON columns of the rows sent with COPY (change records' data, the sync's records) encoded with "
            "orjson where its text parses into the same jsonb as Django's json.dumps(value, cls=field.encoder): "
            "a value made only of str (or a subclass), int, bool, None, dicts (or OrderedDicts), lists, tuples, "
            "and UUIDs where the encoder writes them as str(uuid); any other value encoded as Django encodes it",
            {
                "django.db.models.fields.json:JSONField.get_db_prep_value": {"5cbcc7e26018": V31_32},
                "django.db.models.fields.json:JSONField.get_db_prep_save": {"e34659f21530": V31_32},
                "django.db.models.fields:Field.get_prep_value": {"7aa16ded6e6e": V31_32},
                "django.db.backends.postgresql.operations:DatabaseOperations.adapt_json_value": {
                    "73918a30eade": V31_32
                },
                "django.db.backends.postgresql.operations:get_json_dumps": {"29c1874c84c2": V31_32},
                "django.core.serializers.json:DjangoJSONEncoder.default": {"92742928d37c": V31_32},
                "rest_framework.utils.encoders:JSONEncoder.default": {"00595c7d1acd": V31_32},
                "nautobot.core.celery.encoders:NautobotKombuJSONEncoder.default": {
                    "a406a8c54b19": V32,
                    "f6ca43724a25": V31,
                },
            },
        ),
        SpeedUp(
            OBJECT_CHANGES,
            "speedups.objectchanges",
            "change records built by to_objectchange() with their field values passed in order, and the generic "
            "foreign keys set as their descriptor sets them with each model's content type read once: the same "
            "values and caches as Nautobot's keyword construction; a model's own to_objectchange() still runs",
            {
                "nautobot.extras.models.change_logging:ChangeLoggedModel.to_objectchange": {"160d7c4a5485": V31_32},
                "nautobot.extras.models.change_logging:ObjectChange": {"43fb66bdbefb": V32, "4182abc6a191": V31},
                "django.db.models.base:Model.__init__": {"2950c3a90d83": V31_32},
                "django.db.models.fields:Field.get_default": {"ee9b20d3549c": V31_32},
                "django.contrib.contenttypes.fields:GenericForeignKey.__set__": {"4e58b80877f3": V31_32},
                "django.contrib.contenttypes.fields:GenericForeignKey.get_content_type": {"d9be0e0e5944": V31_32},
            },
        ),
    )
}


_job = threading.local()  # .answers, .report: the sync job running in this thread (``SyncSpeedups``)


def enabled(name):
    """Whether speed-up ``name`` is on: it applies to this Nautobot, and every function it relies on has a source it
    was reviewed against."""
    return SPEEDUPS[name].applies() and not SPEEDUPS[name].unreviewed()


def active(name):
    """``enabled(name)``, decided once per sync job; when off, the job is told (once). Asked several times per loaded
    object: the answer already given is read first."""
    try:
        return _job.answers[name]
    except (AttributeError, TypeError, KeyError):
        return _decide(name)


def _decide(name):
    answers = getattr(_job, "answers", None)
    if answers is None:
        return enabled(name)
    answers[name] = enabled(name)
    if not answers[name] and SPEEDUPS[name].applies():
        _job.report(SPEEDUPS[name])
    return answers[name]


def start_job(report):
    """From now on in this thread, ``active()`` decides once per speed-up and tells ``report(speedup)`` of those
    that are off."""
    _job.answers, _job.report = {}, report


def end_job():
    _job.answers = _job.report = None


def switched_off():
    """``{name: unreviewed functions}`` of the speed-ups that are off with the installed versions."""
    return {name: speedup.unreviewed() for name, speedup in SPEEDUPS.items() if speedup.unreviewed()}


@cache
def source_digest(path):
    """The first 12 hex digits of the SHA-256 of the source of ``"module:Qualified.name"``; ``ABSENT`` if the class
    named does not define it; None if it cannot be read."""
    module_name, _, qualname = path.partition(":")
    try:
        target = importlib.import_module(module_name)
        for part in qualname.split("."):
            if isinstance(target, type) and part not in vars(target):
                return ABSENT  # the class does not define it (it may inherit one: not what was reviewed)
            target = inspect.getattr_static(target, part)
        target = getattr(target, "fget", None) or getattr(target, "__func__", None) or target
        source = _source(target)
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _source(function):
    """``inspect.getsource(function)``, without leaving its module's lines in ``linecache`` where they were not: the
    modules read for a sync's first check hold about 2.5 MiB of source text, for the life of the worker. A decorated
    function's source is its own, as ``inspect.getsource()`` reads it (behind ``functools.lru_cache()``...)."""
    function = inspect.unwrap(function)
    filename = inspect.getsourcefile(function)
    cached = filename in linecache.cache
    try:
        return inspect.getsource(function)
    finally:
        if not cached:
            linecache.cache.pop(filename, None)
