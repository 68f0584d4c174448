"""`mailroom run` and `mailroom smtp`: what they print, that they receive, how they stop."""

import json
import signal
import smtplib
import socket
import time

import pytest

from conftest import DEMO_INBOUND, free_port, port_open, with_acme

INBOUND = "acme-contact@in.mailroom.localhost"
MAIL = b"From: alice@customer.example\r\nSubject: hello\r\n\r\nHello.\r\n"


@pytest.fixture(scope="module")
def mr(tmp_path_factory):
    """A Mailroom with tenant acme and one channel (no demo: `smtp` never makes one)."""
    mr = with_acme(tmp_path_factory.mktemp("mailroom") / "home")
    yield mr
    mr.stop_all()


def stored(mr, inbound: str) -> int:
    rows = {r["inbound_address"]: r for r in json.loads(mr.ok("channels", "--json"))}
    return sum(rows[inbound]["counts"].values())


def output_of(mr, proc) -> str:
    return (mr.home / f"proc-{mr.processes.index(proc)}.log").read_text()


def stop(proc, sig=signal.SIGTERM, within: float = 10) -> tuple[int, float]:
    """Send `sig`; the exit code and how long the process took to end."""
    start = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(timeout=within)
    return code, time.monotonic() - start


def lmtp_deliver(port: int, rcpt: str) -> list[bytes]:
    """LHLO, MAIL, RCPT, DATA over a raw socket; every reply line received."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = sock.makefile("rb")
        lines = [reader.readline()]
        for command in (b"LHLO mta.example", b"MAIL FROM:<a@customer.example>",
                        f"RCPT TO:<{rcpt}>".encode(), b"DATA"):
            sock.sendall(command + b"\r\n")
            while True:
                line = reader.readline()
                lines.append(line)
                if line[3:4] != b"-":
                    break
        sock.sendall(MAIL + b".\r\nQUIT\r\n")
        lines += [reader.readline(), reader.readline()]
    return lines


def test_smtp_listen_alone_receives_mail(mr):
    port = free_port()
    proc = mr.start("smtp", "--listen", f"127.0.0.1:{port}", ready="ready")
    assert f"SMTP on 127.0.0.1:{port} ready" in output_of(mr, proc)
    before = stored(mr, INBOUND)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        assert client.sendmail("alice@customer.example", [INBOUND], MAIL) == {}
    assert stored(mr, INBOUND) == before + 1
    assert stop(proc)[0] == 0


def test_smtp_lmtp_flag_speaks_lmtp(mr):
    port = free_port()
    proc = mr.start("smtp", "--lmtp", "--listen", f"127.0.0.1:{port}", ready="ready")
    assert f"LMTP on 127.0.0.1:{port} ready" in output_of(mr, proc)
    before = stored(mr, INBOUND)
    lines = lmtp_deliver(port, INBOUND)
    codes = [line[:3] for line in lines]
    # greeting, LHLO (multi-line), MAIL, RCPT, 354, one 250 for the one recipient, 221.
    assert codes[0] == b"220" and codes[-4:] == [b"250", b"354", b"250", b"221"], lines
    assert stored(mr, INBOUND) == before + 1
    assert stop(proc)[0] == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_makes_run_exit_0_promptly_even_with_a_client_connected(server, sig):
    idle = smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10)
    idle.ehlo("idle.example")  # a sender that connected and now says nothing
    try:
        code, took = stop(server.process, sig)
    finally:
        idle.close()
    assert code == 0
    assert took < 5, f"took {took:.1f} s to stop"
    assert not port_open("127.0.0.1", server.smtp_port)
    assert not port_open("127.0.0.1", server.lmtp_port)


def test_sigterm_makes_smtp_receiver_exit_0_promptly(mr):
    port = free_port()
    proc = mr.start("smtp", "--listen", f"127.0.0.1:{port}", ready="ready")
    code, took = stop(proc)
    assert (code, took < 5) == (0, True), took
    assert not port_open("127.0.0.1", port)


def test_run_says_where_to_send_mail_and_serves_the_web_pages(mailroom):
    smtp, web = free_port(), free_port()
    proc = mailroom.start("run", "--smtp", f"127.0.0.1:{smtp}", "--lmtp", "off",
                          "--web", f"127.0.0.1:{web}", ready="Mailroom is running")
    out = output_of(mailroom, proc)
    assert f"SMTP: 127.0.0.1:{smtp}" in out and "LMTP" not in out
    assert f"to {DEMO_INBOUND} via SMTP 127.0.0.1:{smtp}" in out
    assert f"Web: http://127.0.0.1:{web}/admin/" in out
    assert "Traceback" not in out
    with socket.create_connection(("127.0.0.1", web), timeout=10) as sock:
        sock.sendall(b"GET /admin/login/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
        status = sock.makefile("rb").readline()
    assert status.split()[1] == b"200", status
