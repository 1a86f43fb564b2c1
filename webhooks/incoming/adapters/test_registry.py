"""The adapter registry names every adapter folder once."""

from pathlib import Path

from webhooks.incoming.adapters import registry


def test_every_adapter_folder_is_registered_under_its_name():
    folders = {p.name for p in Path(__file__).parent.iterdir() if (p / "adapter.py").exists()}
    adapters = registry()
    assert set(adapters) == folders == {"gitlab", "github", "jenkins"}
    assert all(adapter.name == name for name, adapter in adapters.items())
