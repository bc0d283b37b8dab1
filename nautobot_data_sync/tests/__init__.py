"""Tests for nautobot_data_sync."""
