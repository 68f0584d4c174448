"""Every mistake gets exactly one line on stderr and a non-zero exit code, never a traceback."""

import re
import socket

import pytest

from conftest import with_acme

INBOUND = "acme-contact@in.mailroom.localhost"

# argv ({busy}: a port something else listens on; {eml}: a mail file), exit code, fragment.
ERRORS = [
    (["chanels"], 64, "invalid choice: 'chanels'"),
    ([], 64, "required: command"),
    (["tenant"], 64, "required: action"),
    (["tenant", "add", "acme"], 3, "tenant 'acme' already exists"),
    (["tenant", "add", "   "], 1, "a tenant needs a name"),
    (["channel", "ad", "acme", "x@acme.example"], 64, "invalid choice: 'ad'"),
    (["channel", "add", "nobody", "contact@nobody.example"], 2, "no tenant named 'nobody'"),
    (["channel", "add", "acme", "not-an-address"], 1, "'not-an-address' is not an email address"),
    (["channel", "add", "acme", "@acme.example"], 1, "is not an email address"),
    (["channel", "add", "acme", "x@acme.example", "--inbound", "nope"], 1,
     "'nope' is not an email address"),
    (["channel", "add", "acme", "x@acme.example", "--inbound", INBOUND], 3,
     f"inbound address {INBOUND} is already a channel's"),
    (["channels", "--jsn"], 64, "unrecognized arguments: --jsn"),
    (["run", "--smtp", "nonsense"], 64, "argument --smtp: 'nonsense' is not HOST:PORT"),
    (["run", "--lmtp", "127.0.0.1:99999"], 64, "argument --lmtp: '127.0.0.1:99999' is not"),
    (["run", "--web", "127.0.0.1:"], 64, "argument --web: '127.0.0.1:' is not HOST:PORT"),
    (["smtp", "--listen", "localhost"], 64, "argument --listen: 'localhost' is not HOST:PORT"),
    (["smtp", "--listen", "127.0.0.1:{busy}"], 1, "cannot start SMTP on 127.0.0.1:{busy}"),
    (["run", "--smtp", "off", "--lmtp", "off", "--web", "127.0.0.1:{busy}"], 1,
     "cannot start web on 127.0.0.1:{busy}"),
    (["import", "{eml}"], 64, "required: --channel"),
    (["import", "--channel", "nobody@nowhere.example", "{eml}"], 2,
     "no channel with address nobody@nowhere.example"),
]


@pytest.fixture(scope="module")
def mr(tmp_path_factory):
    """A Mailroom with tenant acme and its channel, shared by the table's rows."""
    mr = with_acme(tmp_path_factory.mktemp("mailroom") / "home")
    mr.eml = mr.home / "one.eml"
    mr.eml.write_bytes(b"Subject: hi\r\n\r\nhello\r\n")
    return mr


@pytest.fixture
def busy():
    """A loopback port something else already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# `mailroom run` may log what its parts did before one failed: that is not the error.
INFO_LOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?:DEBUG|INFO) ")


def assert_one_line_error(proc, code: int, fragment: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.endswith("\n"), proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not INFO_LOG.match(line)]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mailroom") and "error" in lines[0], proc.stderr
    assert fragment in lines[0], proc.stderr


@pytest.mark.parametrize(
    ("argv", "code", "fragment"), ERRORS, ids=[" ".join(argv) or "-" for argv, _, _ in ERRORS]
)
def test_mistake_gets_one_line_and_an_exit_code(mr, busy, argv, code, fragment):
    fill = {"busy": busy, "eml": mr.eml}
    proc = mr(*[arg.format(**fill) for arg in argv], timeout=60)
    assert_one_line_error(proc, code, fragment.format(**fill))
    assert proc.stdout == ""


def test_mistakes_change_nothing(mr):
    before = mr.ok("channels", "--json")
    mr("channel", "add", "acme", "not-an-address")
    mr("tenant", "add", "acme")
    assert mr.ok("channels", "--json") == before
    assert mr.ok("tenant", "list").split().count("acme") == 1


def test_port_in_use_is_reported_at_once(mr, busy):
    proc = mr("run", "--smtp", "off", "--lmtp", f"127.0.0.1:{busy}", "--web", "off", timeout=3)
    assert_one_line_error(proc, 1, f"cannot start LMTP on 127.0.0.1:{busy}")


def run_with(mr, env: dict[str, str], *args: str):
    """`mailroom ARGS` with some environment variables changed for this one run."""
    saved = mr.env
    mr.env = {**saved, **env}
    try:
        return mr(*args)
    finally:
        mr.env = saved


def test_unreachable_database_gets_one_line(mr):
    url = "postgresql://postgres@127.0.0.1:1/mailroom"
    proc = run_with(mr, {"MAILROOM_DATABASE_URL": url}, "channels")
    assert_one_line_error(proc, 69, "database unavailable")


@pytest.mark.parametrize(
    "name, value",
    [("MAILROOM_MAX_MAIL_BYTES", "25MB"), ("MAILROOM_DATABASE_URL", "mysqll://x/y")],
)
def test_bad_setting_in_the_environment_gets_one_line(mr, name, value):
    proc = run_with(mr, {name: value}, "channels")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert name in proc.stderr
