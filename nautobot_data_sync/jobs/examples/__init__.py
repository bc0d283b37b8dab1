"""Example sync jobs shipped with the app."""
