"""Root pytest configuration: shared fixtures live in zhifa.testing."""

pytest_plugins = ["zhifa.testing"]
