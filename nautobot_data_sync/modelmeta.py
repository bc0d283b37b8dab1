"""What a Django model's relations are, as the bulk writer and the speed-ups both need to know; instances built from
their values in field order."""

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


class InOrder:
    """Builds instances of ``model`` from keyword values by passing every field's value in field order, each field not
    given its default as with keywords: Django's constructor then skips its search of the keyword arguments (a third
    of its time for a model of fifteen fields). Concrete fields only, by attribute name (``sync_id``)."""

    def __init__(self, model):
        self.model = model
        self.fields = [(field.attname, field) for field in model._meta.concrete_fields]
        self.names = {name for name, _ in self.fields}

    def __call__(self, **values):
        if not values.keys() <= self.names:
            raise TypeError(f"{self.model.__name__} has no fields {sorted(values.keys() - self.names)}")
        return self.model(*[values[name] if name in values else field.get_default() for name, field in self.fields])
