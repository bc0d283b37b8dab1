"""JSON encoding for recorded attribute values."""

from django.core.serializers.json import DjangoJSONEncoder


class AttributeEncoder(DjangoJSONEncoder):
    """Django's JSON types, sets as sorted lists, and any other value as its text (attributes may hold anything)."""

    def default(self, o):
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=str)
        try:
            return super().default(o)
        except TypeError:
            return str(o)
