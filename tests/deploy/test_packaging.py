"""An installed hygiene (pip install, the Docker image, /opt/hygiene/.venv) has its data files.

A development checkout runs from src/ and finds every file; a wheel carries only the files that
[tool.setuptools.package-data] names, so a missing pattern breaks only real deployments.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "hygiene"
RUNTIME_DATA = (
    "locales",
    "messages/templates",
    "web/templates",
    "web/static",
    "migrations",
    "data",
)


def _shipped() -> set[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hygiene"]
    return {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}


def test_every_runtime_data_file_is_in_the_wheel() -> None:
    needed = {
        path
        for folder in RUNTIME_DATA
        for path in (PACKAGE / folder).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    missing = sorted(str(path.relative_to(PACKAGE)) for path in needed - _shipped())
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"
