"""Small readers for the deployment files: a systemd unit and an EnvironmentFile."""

import shlex
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "systemd" / "hygiene.service"
ENV_EXAMPLE = DEPLOY / "systemd" / "hygiene.env.example"


def read_unit(path: Path = UNIT) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> every value given (systemd allows a key several times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"setting outside a section: {line}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def read_env_file(path: Path = ENV_EXAMPLE, *, commented: bool = False) -> dict[str, str]:
    """The VAR=value lines (systemd EnvironmentFile syntax, without line continuations).
    With `commented`, also the `#HYGIENE_…=` examples, to check their names."""
    found: dict[str, str] = {}
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if commented and line.startswith("#HYGIENE_"):
            line = line[1:]
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        found[key.strip()] = _unquote(value.strip())
    return found


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def command(line: str, bin_dir: Path) -> list[str]:
    """An Exec line as argv, its program moved from the install path into `bin_dir`."""
    argv = shlex.split(line.lstrip("-@:+!"))
    argv[0] = str(bin_dir / Path(argv[0]).name)
    return argv
