"""Change records (ObjectChange) built from their field values in order, with the state Nautobot's leave them in.

Nautobot's ``ChangeLoggedModel.to_objectchange()`` builds a record as ``ObjectChange(changed_object=obj, ...)``:
Django's ``Model.__init__`` then looks for every field among the keyword arguments, and each generic foreign key's
descriptor asks a new content type manager for the object's content type: nearly all the time the method spends
outside the serialization (6% of an initial sync's write phase). Inside ``built_in_order()`` the same method
(re-implemented here, pinned to its source) passes every field's value in order, the constructor's direct path, and
sets the content types and the cached objects as the generic foreign keys' ``__set__`` does: the same values, the
same caches, the same database state. A model's own ``to_objectchange()`` (a component naming its device) still
runs and calls this one, as it calls Nautobot's. Records are still built one by one by each object's method, so an
override that changes or drops a record applies.
"""

from contextlib import contextmanager

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db.models.signals import pre_init
from nautobot.extras.constants import CHANGELOG_MAX_OBJECT_REPR
from nautobot.extras.models import ChangeLoggedModel, ObjectChange
from nautobot.extras.models import change_logging as change_logging_module

from nautobot_data_sync.modelmeta import InOrder
from nautobot_data_sync.speedups.patching import replaced
from nautobot_data_sync.speedups.registry import OBJECT_CHANGES, active


@contextmanager
def built_in_order():
    """Inside the block, in this thread, ``to_objectchange()`` builds records from their values in order; with this
    speed-up off (or a ``pre_init`` receiver of ObjectChange, which would see other arguments), nothing changes."""
    if not active(OBJECT_CHANGES) or pre_init.has_listeners(ObjectChange):
        yield
        return
    builder = _Builder()

    def to_objectchange(self, action, *, related_object=None, object_data_extra=None, object_data_exclude=None):
        return builder.build(
            changed_object=self,
            object_repr=str(self)[:CHANGELOG_MAX_OBJECT_REPR],
            action=action,
            object_data=change_logging_module.serialize_object(
                self, extra=object_data_extra, exclude=object_data_exclude
            ),
            object_data_v2=change_logging_module.serialize_object_v2(self),
            related_object=related_object,
        )

    with replaced(ChangeLoggedModel, "to_objectchange", to_objectchange):
        yield


class _Builder:
    """Builds ObjectChange records: their values in field order (``InOrder``), then the generic foreign keys. Content
    types are read once per model and database."""

    def __init__(self):
        meta = ObjectChange._meta
        self.in_order = InOrder(ObjectChange)
        self.changed = meta.get_field("changed_object")
        self.related = meta.get_field("related_object")
        self.content_types = {}

    def build(self, changed_object, related_object, **values):
        change = self.in_order(**values)
        self._set(change, self.changed, changed_object)
        self._set(change, self.related, related_object)
        return change

    def _set(self, change, field: GenericForeignKey, obj):
        """``GenericForeignKey.__set__()``, with the object's content type read once per model and database."""
        content_type = None if obj is None else self._content_type(field, obj)
        setattr(change, field.ct_field, content_type)
        setattr(change, field.fk_field, None if obj is None else obj.pk)
        field.set_cached_value(change, obj)

    def _content_type(self, field, obj):
        key = (type(obj), obj._state.db, field.for_concrete_model)
        if key not in self.content_types:
            self.content_types[key] = field.get_content_type(obj=obj)
        return self.content_types[key]
