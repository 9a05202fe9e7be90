"""Where the probe looks: the OS family, the user's home, the environment, the policy roots.

Everything the probe reads from the machine goes through a :class:`Host`, so tests build one that
points at a temporary tree (and a fake registry) instead of the real PC. ``Host.current()`` is the
only place that looks at the running system.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

WINDOWS = "windows"
LINUX = "linux"
MACOS = "macos"

# (hive, key path, value name) -> the DWORD value, or None when the key or value is absent.
# Hives are "HKLM" and "HKCU". Raises OSError when the registry cannot be read.
RegistryReader = Callable[[str, str, str], Optional[int]]


@dataclass(frozen=True)
class Host:
    """The machine as the probe sees it; every field is injectable for tests."""

    system: str
    home: Path
    env: Mapping[str, str] = field(default_factory=dict)
    # Prefix for machine-wide policy files (/etc/opt/chrome/...); "/" on a real Linux PC.
    policy_root: Path = Path("/")
    registry: RegistryReader | None = None

    @classmethod
    def current(cls) -> Host:
        return cls(
            system=current_system(),
            home=Path.home(),
            env=dict(os.environ),
            policy_root=Path("/"),
            registry=windows_registry_reader(),
        )

    def env_path(self, name: str) -> Path | None:
        value = self.env.get(name, "").strip()
        return Path(value) if value else None


def current_system() -> str:
    if sys.platform == "win32":
        return WINDOWS
    if sys.platform == "darwin":
        return MACOS
    return LINUX


def windows_registry_reader() -> RegistryReader | None:
    """A reader backed by ``winreg`` on Windows; None elsewhere."""
    if sys.platform != "win32":
        return None
    import winreg

    hives = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}

    def read(hive: str, key: str, name: str) -> int | None:
        try:
            with winreg.OpenKey(hives[hive], key) as handle:
                value, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return value if isinstance(value, int) else None

    return read
