"""nautobot-ssot's TypedDicts for many-to-many values (``nautobot_ssot.contrib.typeddicts``), for ported models.

A declared field ``content_types: list[ContentTypeDict]`` holds dicts, e.g. ``[{"app_label": "dcim", "model":
"device"}]``: each key is a path on the related model (``orm.fields``). ``SortKey`` marks the field nautobot-ssot
sorts such lists by; here lists of dicts are sorted by all their items (``orm.fields.sort_order``), on both sides of
a ported job (``compat.ssot``), so the marker is accepted and has no effect.
"""

from typing import Annotated

from typing_extensions import TypedDict


class SortKey:
    """Marker (in ``Annotated``) of the field a list of these dicts is sorted by in nautobot-ssot; no effect here."""


class ContentTypeDict(TypedDict):
    """A content type by its app label and model name."""

    app_label: str
    model: Annotated[str, SortKey]


class TagDict(TypedDict):
    """A tag by its name."""

    name: Annotated[str, SortKey]


class LocationDict(TypedDict):
    """A location by its name and its parent's."""

    name: Annotated[str, SortKey]
    parent__name: str


class DeviceDict(TypedDict):
    """A device by its name and placement."""

    name: Annotated[str, SortKey]
    location__name: str
    tenant__name: str
    rack__name: str
    rack__rack_group__name: str
    position: int
    face: str
    virtual_chassis__name: str
    vc_position: int


class InterfaceDict(TypedDict):
    """An interface by its name and its device's."""

    name: Annotated[str, SortKey]
    device__name: str


class PrefixDict(TypedDict):
    """A prefix by network, length and namespace."""

    network: Annotated[str, SortKey]
    prefix_length: int
    namespace__name: str


class VLANDict(TypedDict):
    """A VLAN by its VID and group."""

    vid: Annotated[int, SortKey]
    vlan_group__name: str


class IPAddressDict(TypedDict):
    """An IP address by host and mask length."""

    host: Annotated[str, SortKey]
    mask_length: int


class VirtualMachineDict(TypedDict):
    """A virtual machine by name, cluster and tenant."""

    name: Annotated[str, SortKey]
    cluster__name: str
    tenant__name: str
