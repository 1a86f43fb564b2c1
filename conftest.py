"""The test fixtures (tests/fixtures.py) serve every test folder: tests/ and each extension's own tests."""

pytest_plugins = ["tests.fixtures", "tests.cli_support"]
