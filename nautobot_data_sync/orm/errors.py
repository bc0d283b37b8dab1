"""Errors raised by the declarative Nautobot models; the executor records them as the object's failure."""


class DeclarationError(TypeError):
    """A NautobotModel declares a field path that does not exist on its Django model."""


class ReferenceNotFound(ValueError):
    """A reference (foreign key, many-to-many, relationship peer) names no Nautobot object."""


class ObjectValidationError(ValueError):
    """Nautobot refused an object (Django ``ValidationError``); the message names the model, unique id and fields."""


class ObjectProtected(ValueError):
    """Nautobot refused a delete (``ProtectedError``/``RestrictedError``); the message names what refers to it."""
