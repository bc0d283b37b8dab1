"""The Nautobot side of a sync, declared instead of hand-written.

* ``NautobotModel`` (``model``): a diffsync model declared by Django field paths, with generic create/update/delete;
* ``NautobotAdapter`` (``adapter``): loads the declared models in a fixed number of queries, optionally scoped;
* ``CustomField`` and ``RelationshipSide`` (``fields``): markers for custom fields and relationships;
* ``ReferenceNotFound``, ``ObjectValidationError`` and ``ObjectProtected`` (``errors``): recorded as an object's
  failure by the executor.

See docs/orm.md.
"""

from nautobot_data_sync.orm.adapter import NautobotAdapter
from nautobot_data_sync.orm.errors import DeclarationError, ObjectProtected, ObjectValidationError, ReferenceNotFound
from nautobot_data_sync.orm.fields import CustomField, RelationshipSide
from nautobot_data_sync.orm.model import NautobotModel

__all__ = [
    "CustomField",
    "DeclarationError",
    "NautobotAdapter",
    "NautobotModel",
    "ObjectProtected",
    "ObjectValidationError",
    "ReferenceNotFound",
    "RelationshipSide",
]
