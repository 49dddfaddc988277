"""Shared pytest set-up."""

# Registration API (issue 3): its fixtures live in tests/fixtures_api.py.
pytest_plugins = ["tests.fixtures_api"]
