"""nautobot-ssot's ``CustomRelationshipAnnotation``, translated into the declarative layer's ``RelationshipSide``.

nautobot-ssot names a relationship by its label and gives the peers in the shape of the annotated field:

* ``tenant__name: Annotated[str | None, CustomRelationshipAnnotation(name="Device tenant", side=...)]``: one peer,
  by the path after the first ``__``;
* ``tenants: Annotated[list[TenantDict], CustomRelationshipAnnotation(...)]``: the peers as dicts of the TypedDict's
  paths (one dict or None for the "one" side of a one-to-many relationship: this object a destination).

``as_declared()`` is called once per model class, when its field plan is built (``orm.fields``): it reads the
relationship by label then, and a missing one is a ``DeclarationError`` naming the field.
"""

import enum
from dataclasses import dataclass

from nautobot.extras.choices import RelationshipTypeChoices
from nautobot.extras.models import Relationship

from nautobot_data_sync.orm.errors import DeclarationError
from nautobot_data_sync.orm.fields import SEP, RelationshipSide, typed_dict_keys


class RelationshipSideEnum(str, enum.Enum):
    """The side of a relationship the annotated object is on."""

    SOURCE = "source"
    DESTINATION = "destination"


@dataclass(frozen=True)
class CustomRelationshipAnnotation:
    """Marker (in ``Annotated``) for a Nautobot relationship by its label, this object on ``side``."""

    name: str
    side: RelationshipSideEnum = RelationshipSideEnum.SOURCE

    def as_declared(self, field_name, annotation):
        """The ``RelationshipSide`` this annotation of field ``field_name`` (typed ``annotation``) stands for."""
        relationship = Relationship.objects.filter(label=self.name).first()
        if relationship is None:
            raise DeclarationError(f"{field_name!r}: no relationship is labelled {self.name!r}")
        side = RelationshipSideEnum(self.side).value
        keys = typed_dict_keys(annotation)
        if keys is None:
            _, _, peer_key = field_name.partition(SEP)
            if not peer_key:
                raise DeclarationError(
                    f"{field_name!r}: name the peer's field (e.g. tenant__name) or annotate list[SomeTypedDict]"
                )
            return RelationshipSide(relationship.key, side, peer_key, many=False)
        one = relationship.type == RelationshipTypeChoices.TYPE_ONE_TO_MANY and side == "destination"
        return RelationshipSide(relationship.key, side, keys, many=not one)
