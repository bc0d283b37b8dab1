"""The ancestors of a batch's tree nodes, read once for the batch: for ``validation`` (a node's cycle check) and
``savetime`` (the ancestors that forget their cached descendants).

Nautobot walks a node's ancestors one query per level (``TreeQuerySet.ancestors()`` follows ``parent``), for every
node. ``TreeLinks`` walks first through the parents already attached to the batch's nodes, as long as each is saved
as it is in memory (read in this batch, or written earlier in the same flush: a tree's levels are created from the
top, each attached to its parent), then reads what is left a level at a time: at most one query per level above the
batch, none for a tree whose upper levels were just created or read.
"""


class TreeLinks:
    """``{node pk: parent pk}`` of the nodes above ``nodes`` (unsaved or changed nodes of tree ``model``, walked
    from their parents) and of those above ``parent_pks``, as the database holds them; pks it does not hold are
    left out."""

    def __init__(self, model, nodes=(), parent_pks=()):
        self.parent_of = {}
        parent_field = model._meta.get_field("parent")
        unread = set(parent_pks) - {None}
        for node in nodes:
            pk = node.parent_id
            while pk is not None and pk not in self.parent_of:
                node = parent_field.get_cached_value(node, None)
                if node is None or node.pk != pk or node._state.adding:  # not attached, or not saved: read it
                    unread.add(pk)
                    break
                self.parent_of[pk] = node.parent_id
                pk = node.parent_id
        unread -= self.parent_of.keys()
        while unread:
            rows = dict(model._base_manager.filter(pk__in=unread).values_list("pk", "parent_id"))
            self.parent_of.update(rows)
            unread = set(rows.values()) - {None} - self.parent_of.keys()

    def ancestors(self, pk):
        """The pks of node ``pk`` and of its ancestors, root last; None if one of them is not in the database."""
        chain = []
        while pk is not None and pk not in chain:
            if pk not in self.parent_of:
                return None
            chain.append(pk)
            pk = self.parent_of[pk]
        return chain
