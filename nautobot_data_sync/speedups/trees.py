"""The ancestors of a batch's tree nodes, read once for the batch: for ``validation`` (a node's cycle check) and
``savetime`` (the ancestors that forget their cached descendants).

Nautobot walks a node's ancestors one query per level (``TreeQuerySet.ancestors()`` follows ``parent``), for every
node. ``TreeLinks`` walks first through the parents attached to a batch of new nodes, as long as each is saved as it
is in memory, then reads what is left a level at a time: at most one query per level above the batch, none for a
tree whose upper levels were just created or read. The bulk writer attaches to a new node its parent read in the
same batch or created earlier in the same flush (a tree's levels from the top); a flush creates before it updates,
so what is attached to new nodes is as the database holds it.
"""


class TreeLinks:
    """``{node pk: parent pk}`` of the nodes above ``nodes`` (new or just created nodes of tree ``model``, walked up
    from their parents) and of the nodes ``parent_pks`` and those above them, as the database holds them; pks it does
    not hold are left out."""

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
