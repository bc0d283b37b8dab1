"""Compatibility with other sync frameworks' APIs, so their jobs run on this app with only their imports changed.

``ssot``: nautobot-ssot's job base classes and ``contrib`` declarative layer (docs/migrating-from-nautobot-ssot.md).
"""
