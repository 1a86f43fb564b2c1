"""The import rules of ARCHITECTURE.md, checked on every module's imports (TYPE_CHECKING ones too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB_FRAMEWORK = {"flask", "flask_sock", "werkzeug", "gunicorn"}  # the server side of the web
EXTENSIONS = {"webhooks", "bridges", "bots"}
OUR_PACKAGES = {"hub", "server", "hubclient", "hubbub"} | EXTENSIONS

# What each layer may import of our own packages, and which frameworks it must not touch.
MAY_IMPORT = {
    "hub": ({"hub"}, WEB_FRAMEWORK),
    "hubclient": ({"hubclient"}, WEB_FRAMEWORK),
    "server": ({"hub", "server"}, set()),
    "webhooks": ({"hub", "server", "webhooks"}, set()),
    "bridges": ({"hub.extensions", "hubclient", "bridges"}, WEB_FRAMEWORK),
    "bots": ({"hub.extensions", "hubclient", "bots"}, WEB_FRAMEWORK),
    "hubbub": (OUR_PACKAGES, set()),
}
# The program's entry (`python -m hub`) hands over to the composition root; it is no library code.
ENTRY_POINTS = {Path("hub/__main__.py"): {"hubbub"}}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def is_allowed(module: str, allowed: set[str]) -> bool:
    """`allowed` names packages ("hub") or single modules ("hub.extensions") with what is under them."""
    return any(module == name or module.startswith(name + ".") for name in allowed)


def modules_of(layer: str, root: Path) -> list[Path]:
    folder = root / layer
    return sorted(
        p for p in folder.rglob("*.py") if "node_modules" not in p.parts and not p.name.startswith("test_")
    )


def violations(layer: str, root: Path = ROOT) -> list[str]:
    allowed, forbidden_frameworks = MAY_IMPORT[layer]
    found = []
    for path in modules_of(layer, root):
        relative = path.relative_to(root)
        exempt = ENTRY_POINTS.get(relative, set())
        for module in sorted(imported_modules(path)):
            package = module.split(".")[0]
            ours_not_allowed = package in OUR_PACKAGES and not is_allowed(module, allowed | exempt)
            if ours_not_allowed or package in forbidden_frameworks:
                found.append(f"{relative} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(layer for layer in MAY_IMPORT if (ROOT / layer).is_dir()))
def test_layer_imports_only_what_it_may(layer):
    assert violations(layer) == []


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The rule bites: a core module that imports an extension or the web framework is reported."""
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "bad.py").write_text("from webhooks.incoming import service\nimport flask.json\n")
    assert violations("hub", tmp_path) == [
        "hub/bad.py imports flask.json",
        "hub/bad.py imports webhooks.incoming",
    ]
    (tmp_path / "bots").mkdir()
    (tmp_path / "bots" / "sneaky.py").write_text(
        "from hub.extensions import WorkerJob\nfrom hub import models\n"
    )
    assert violations("bots", tmp_path) == ["bots/sneaky.py imports hub"]
