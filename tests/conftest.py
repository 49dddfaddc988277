"""Shared pytest set-up."""

# --- Registration API (issue 3): fixtures live in fixtures_api.py; importing them here registers them. ---
from fixtures_api import api_settings, client, clock, ctx, edition, fill_meeting, store

__all__ = ["api_settings", "client", "clock", "ctx", "edition", "fill_meeting", "store"]
# --- end of registration API fixtures ---
