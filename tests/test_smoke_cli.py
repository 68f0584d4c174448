"""The CLI's basic promises: set-up commands work, mistakes get one line and an exit code."""

from conftest import DEMO_INBOUND


def test_init_is_idempotent(mailroom):
    assert "database ready" in mailroom.ok("init")


def test_mistyped_command_gets_one_line_and_nonzero_exit(mailroom):
    proc = mailroom("chanels")
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and "invalid choice" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_creates_demo_channel(server, mailroom):
    assert DEMO_INBOUND in mailroom.ok("channels")
