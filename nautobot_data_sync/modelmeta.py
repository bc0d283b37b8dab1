"""What a Django model's relations are, as the bulk writer and the speed-ups both need to know."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db.models import ForeignKey, OneToOneField

UNSERIALIZED_APPS = {"extras", "data_validation"}  # generic relations (notes, contacts, metadata...) not serialized


def foreign_keys(model):
    """The forward foreign-key (and one-to-one) fields of Django ``model``."""
    return [field for field in model._meta.concrete_fields if isinstance(field, (ForeignKey, OneToOneField))]


def backward_relations(model):
    """``(name, relation)`` of the reverse one-to-one fields of ``model`` and its generic relations outside Nautobot's
    extras (e.g. an interface's cable termination and cable paths): what its REST serializer reads back."""
    return [
        (field.name, field)
        for field in model._meta.get_fields()
        if (field.one_to_one and field.auto_created)
        or (isinstance(field, GenericRelation) and field.related_model._meta.app_label not in UNSERIALIZED_APPS)
    ]


def natural_key_hops(model):
    """The relations ``natural_key()`` of ``model`` walks: ``["location__parent", ...]``."""
    lookups = getattr(model, "natural_key_field_lookups", None) or []
    return sorted({lookup.rsplit("__", 1)[0] for lookup in lookups if "__" in lookup})
