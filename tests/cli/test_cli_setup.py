"""`mailroom init`, `tenant add`, `channel add` and `channels [--json]`, as a user runs them."""

import json
from datetime import datetime

import pytest

from conftest import initialised

PLATFORM_DOMAIN = "in.mailroom.localhost"
MAIL = (
    b"From: Alice <alice@customer.example>\r\n"
    b"To: contact@client.fr\r\n"
    b"Subject: Printer on fire\r\n"
    b"\r\n"
    b"Hello.\r\n"
)


@pytest.fixture(scope="module")
def mr(tmp_path_factory):
    """One initialised Mailroom for the module; each test uses tenants of its own."""
    return initialised(tmp_path_factory.mktemp("mailroom") / "home")


def rows(mr) -> dict[str, dict]:
    return {row["inbound_address"]: row for row in json.loads(mr.ok("channels", "--json"))}


def test_init_is_idempotent_and_keeps_what_is_there(mailroom):
    assert json.loads(mailroom.ok("channels", "--json")) == []  # fresh: no channel, no demo
    mailroom.ok("tenant", "add", "keep-me")
    for _ in range(2):
        proc = mailroom("init")
        assert proc.returncode == 0, proc.stderr
        assert "database ready" in proc.stdout
    assert "keep-me" in mailroom.ok("tenant", "list").split()


def test_tenant_add_says_so_and_the_tenant_is_listed(mr):
    assert mr.ok("tenant", "add", "Client SA") == "tenant Client SA added\n"
    assert "Client SA" in mr.ok("tenant", "list").splitlines()


def test_channel_add_derives_the_inbound_address_and_prints_it(mr):
    mr.ok("tenant", "add", "client")
    out = mr.ok("channel", "add", "client", "contact@client.fr")
    inbound = f"client-contact@{PLATFORM_DOMAIN}"
    assert f"contact@client.fr -> {inbound}" in out
    assert f"forward contact@client.fr to {inbound}" in out  # what to tell the client's IT
    row = rows(mr)[inbound]
    assert (row["tenant"], row["public_address"], row["state"]) == ("client", "contact@client.fr",
                                                                    "active")


def test_channel_add_normalises_the_public_address(mr):
    mr.ok("tenant", "add", "upper")
    out = mr.ok("channel", "add", "upper", "  <Support@Upper-Case.EXAMPLE> ")
    assert f"support@upper-case.example -> upper-case-support@{PLATFORM_DOMAIN}" in out


def test_second_channel_for_the_same_address_gets_its_own_inbound_address(mr):
    mr.ok("tenant", "add", "twice")
    first = mr.ok("channel", "add", "twice", "help@twice.example")
    second = mr.ok("channel", "add", "twice", "help@twice.example")
    assert f"twice-help@{PLATFORM_DOMAIN}" in first
    assert f"twice-help-2@{PLATFORM_DOMAIN}" in second
    assert {f"twice-help@{PLATFORM_DOMAIN}", f"twice-help-2@{PLATFORM_DOMAIN}"} <= set(rows(mr))


def test_channel_add_takes_the_platform_domain_from_the_environment(mr):
    mr.ok("tenant", "add", "domain")
    saved = mr.env
    mr.env = {**saved, "MAILROOM_PLATFORM_DOMAIN": "mail.helpdesk.example"}
    try:
        out = mr.ok("channel", "add", "domain", "contact@domain.example")
    finally:
        mr.env = saved
    assert "contact@domain.example -> domain-contact@mail.helpdesk.example" in out
    assert rows(mr)["domain-contact@mail.helpdesk.example"]["tenant"] == "domain"


def test_channel_add_with_an_explicit_inbound_address(mr):
    mr.ok("tenant", "add", "explicit")
    out = mr.ok("channel", "add", "explicit", "sales@explicit.example",
                "--inbound", "Explicit-Sales@In.Mailroom.Localhost")
    assert f"sales@explicit.example -> explicit-sales@{PLATFORM_DOMAIN}" in out
    assert rows(mr)[f"explicit-sales@{PLATFORM_DOMAIN}"]["public_address"] == (
        "sales@explicit.example"
    )


def test_channels_json_gives_each_channel_its_state_counts_and_last_mail(mr, tmp_path):
    mr.ok("tenant", "add", "jsonco")
    mr.ok("channel", "add", "jsonco", "contact@jsonco.example")
    inbound = f"jsonco-contact@{PLATFORM_DOMAIN}"
    row = rows(mr)[inbound]
    assert row["counts"]["received"] == 0 and row["last_received_at"] is None

    (tmp_path / "one.eml").write_bytes(MAIL)
    mr.ok("import", "--channel", inbound, str(tmp_path / "one.eml"))
    row = rows(mr)[inbound]
    assert {
        "tenant", "public_address", "inbound_address", "state", "counts", "last_received_at"
    } <= set(row)
    assert row["tenant"] == "jsonco"
    assert row["public_address"] == "contact@jsonco.example"
    assert row["state"] == "active"
    assert row["counts"]["received"] == 1
    assert {"received", "integrated", "error"} <= set(row["counts"])
    assert all(isinstance(n, int) for n in row["counts"].values())
    assert datetime.fromisoformat(row["last_received_at"]).tzinfo is not None


def test_channels_plain_lists_one_line_per_channel(mr):
    mr.ok("tenant", "add", "plain")
    mr.ok("channel", "add", "plain", "a@plain.example")
    mr.ok("channel", "add", "plain", "b@plain.example")
    lines = [line for line in mr.ok("channels").splitlines() if line.startswith("plain ")]
    assert len(lines) == 2
    assert f"plain-a@{PLATFORM_DOMAIN}" in lines[0] and "active" in lines[0]
    assert f"plain-b@{PLATFORM_DOMAIN}" in lines[1]
