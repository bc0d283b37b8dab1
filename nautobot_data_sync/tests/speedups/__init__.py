"""The speed-ups: the registry of reviewed sources, the patching helper, and each speed-up against Nautobot."""
