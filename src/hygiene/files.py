"""Files that hold personal data or secrets: 0600, in folders 0700, whatever the umask.

The database, its WAL, the file outbox, backups, the secret key and the audit checkpoint are read
by the service alone. Folders that already exist are left as they are (a data dir may be a
mount point chosen by the admin); the folders created here, and every file, get their mode by
chmod, so a permissive umask outside systemd cannot widen them.
"""

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """`path` and any missing parent, creating each missing folder with mode 0700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        folder.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make `path` exist with mode 0600 (an existing file is narrowed to 0600)."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def write_private(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` atomically (temporary file then rename), mode 0600."""
    temporary = path.with_name(path.name + ".tmp")
    private_file(temporary)
    with temporary.open("wb") as handle:
        handle.truncate()
        handle.write(payload)
    os.replace(temporary, path)
