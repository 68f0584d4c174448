"""Where Mailroom keeps its data on disk: the data folder and the secret key in it."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def data_home() -> Path:
    """The data folder: MAILROOM_HOME, else ./data; created on first use."""
    home = Path(os.environ.get("MAILROOM_HOME") or Path.cwd() / "data").resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MAILROOM_HOME {home} cannot be the data folder: {exc.strerror}"
        ) from None
    return home


def secret_key(home: Path) -> str:
    """MAILROOM_SECRET_KEY, else a key generated once and kept in the data folder."""
    if key := os.environ.get("MAILROOM_SECRET_KEY"):
        return key
    path = home / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by a process starting beside us
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
