"""HOST:PORT arguments of the serving commands."""

import argparse


def hostport(value: str) -> tuple[str, int]:
    """`127.0.0.1:2525` -> ("127.0.0.1", 2525); `:2525` listens on 127.0.0.1."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def optional_hostport(value: str) -> tuple[str, int] | None:
    """HOST:PORT, or `off` to leave that server out."""
    return None if value == "off" else hostport(value)
