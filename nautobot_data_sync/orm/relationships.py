"""Nautobot relationships of declarative models: loading (three queries per relationship) and writing.

A field ``Annotated[list[str], RelationshipSide("circuit-device", side="destination", peer_key="cid")]`` holds the
sorted keys of the peers associated with this object, this object being on ``side`` of relationship "circuit-device".
Writing adds and removes ``RelationshipAssociation`` rows with ``validated_save()`` / ``delete()`` (change-logged).
"""

from django.contrib.contenttypes.models import ContentType
from nautobot.extras.models import Relationship, RelationshipAssociation

from nautobot_data_sync.orm.errors import ReferenceNotFound
from nautobot_data_sync.orm.fields import sort_order

OTHER = {"source": "destination", "destination": "source"}


def _relationship(adapter, side):
    memo = adapter.references.memo
    if ("relationship", side.key) not in memo:
        relationship = Relationship.objects.select_related("source_type", "destination_type").get(key=side.key)
        peer_model = getattr(relationship, f"{OTHER[side.side]}_type").model_class()
        memo["relationship", side.key] = (relationship, peer_model)
    return memo["relationship", side.key]


def load(adapter, model, sides):
    """``{field name: {object pk: value}}`` for the relationship fields ``sides`` (``{name: RelationshipSide}``)."""
    result = {}
    for name, side in sides.items():
        relationship, peer_model = _relationship(adapter, side)
        ours, theirs = f"{side.side}_id", f"{OTHER[side.side]}_id"
        associations = RelationshipAssociation.objects.filter(
            relationship=relationship, **{f"{side.side}_type": ContentType.objects.get_for_model(model)}
        )
        peer_ids = associations.values("destination_id" if side.side == "source" else "source_id")
        keys = _peer_keys(peer_model.objects.filter(pk__in=peer_ids), side.peer_key)
        values = {}
        for own_id, peer_id in associations.values_list(ours, theirs):
            if peer_id in keys:
                values.setdefault(own_id, []).append(keys[peer_id])
        for peers in values.values():
            peers.sort(key=sort_order)
        result[name] = {pk: _shape(side, peers) for pk, peers in values.items()}
    return result


def _peer_keys(peers, peer_key):
    """``{peer pk: key}``; a tuple ``peer_key`` makes each key a dict of those paths."""
    if not isinstance(peer_key, tuple):
        return dict(peers.values_list("pk", peer_key))
    return {pk: dict(zip(peer_key, values, strict=True)) for pk, *values in peers.values_list("pk", *peer_key)}


def empty(side):
    """The value of a relationship field of an object that has no association."""
    return [] if side.many else None


def _shape(side, peers):
    return peers if side.many else (peers[0] if peers else None)


def peer_ids(adapter, side, value):
    """The primary keys of the peers named by a relationship field's ``value``."""
    _, peer_model = _relationship(adapter, side)
    keys = (value or []) if side.many else ([] if value is None else [value])
    wanted = set()
    for key in keys:
        try:
            lookup = key if isinstance(side.peer_key, tuple) else {side.peer_key: key}
            wanted.add(adapter.references.resolve(peer_model, lookup))
        except ReferenceNotFound as error:
            raise ReferenceNotFound(f"{key!r} {error} (relationship {side.key!r})") from None
    return wanted


def write_all(adapter, instance, plan, values, created):
    """Make ``instance``'s associations be exactly ``values`` (``{declared name: peer_ids()}``)."""
    for name, wanted in values.items():
        write(adapter, instance, plan.relationships[name], wanted, created)


def write(adapter, instance, side, wanted, created):
    """Make ``instance``'s associations on ``side`` be exactly the peers ``wanted`` (primary keys)."""
    relationship, _peer_model = _relationship(adapter, side)
    ours, theirs = side.side, OTHER[side.side]
    existing = {}
    if not created:
        associations = RelationshipAssociation.objects.filter(
            relationship=relationship,
            **{f"{ours}_type": relationship_type(relationship, ours), f"{ours}_id": instance.pk},
        )
        existing = {getattr(association, f"{theirs}_id"): association for association in associations}
    for peer_id, association in existing.items():
        if peer_id not in wanted:
            association.delete()
    for peer_id in wanted - set(existing):
        RelationshipAssociation(
            relationship=relationship,
            **{
                f"{ours}_type": relationship_type(relationship, ours),
                f"{ours}_id": instance.pk,
                f"{theirs}_type": relationship_type(relationship, theirs),
                f"{theirs}_id": peer_id,
            },
        ).validated_save()


def relationship_type(relationship, side):
    return getattr(relationship, f"{side}_type")
