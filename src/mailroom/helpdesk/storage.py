"""The attachment store: content kept by sha256 under generated names, never the sent name.

Files are written before the database row that names them; a rolled-back integration
leaves at most an unreferenced file, never a row without its content.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings


def store_root() -> Path:
    return settings.HOME / "attachments"


def path_for(sha256: str) -> Path:
    return store_root() / sha256[:2] / sha256


def save(sha256: str, content: bytes) -> Path:
    """Write the content once (same hash, same file); atomic by rename."""
    path = path_for(sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, path)
    return path


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
