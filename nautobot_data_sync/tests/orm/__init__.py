"""The declarative layer and the bulk writer, against the real Nautobot."""
