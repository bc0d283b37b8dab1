"""A diff whose elements come in a safe order for Nautobot's protected foreign keys."""

from diffsync.diff import Diff
from diffsync.enum import DiffSyncActions

DELETE = DiffSyncActions.DELETE


class DeletesLastDiff(Diff):
    """Creates and updates first, in ``top_level`` order (referenced before referring), then deletes in reverse.

    So a device is deleted before its device type and location, and a child location before its parent (the Nautobot
    adapter loads parents first). Interfaces are deleted before their device by the device's NATURAL_DELETION_ORDER.
    """

    def get_children(self):
        deletes = []  # per group; diffsync works an element's action out anew each time it is asked
        for group in self.groups():
            deletes.append([])
            for child in self.children[group].values():
                if child.action == DELETE:
                    deletes[-1].append(child)
                else:
                    yield child
        for group_deletes in reversed(deletes):
            yield from reversed(group_deletes)
