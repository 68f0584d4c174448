"""What `mailroom import` stores, read back with the ORM (in this process, pytest-django)."""

import hashlib

import pytest
from mailfiles import MBOX, eml, make_maildir, write

from conftest import CORPUS, need
from mailroom.cli.main import main
from mailroom.core.models import InboundMail
from mailroom.core.setup import add_channel, add_tenant

pytestmark = pytest.mark.django_db

INBOUND = "acme-contact@in.mailroom.localhost"


@pytest.fixture
def channel():
    add_tenant("acme")
    return add_channel("acme", "contact@acme.example")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def raws() -> list[bytes]:
    return [bytes(mail.raw) for mail in InboundMail.objects.order_by("id")]


def test_eml_is_stored_byte_for_byte(channel, tmp_path, capsys):
    raw = eml(1) + "Café €\r\n".encode() + b"\xe9 latin-1\r\n"
    path = write(tmp_path / "one.eml", raw)
    assert run(capsys, "import", "--channel", INBOUND, str(path))[0] == 0
    [mail] = InboundMail.objects.all()
    assert bytes(mail.raw) == raw
    assert (mail.size, mail.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert (mail.source, mail.state, mail.rcpt_to) == ("import", "received", INBOUND)
    assert mail.channel == channel


def test_mbox_mails_lose_their_separator_line_and_keep_their_body(channel, tmp_path, capsys):
    path = write(tmp_path / "inbox.mbox", MBOX)
    assert run(capsys, "import", "--channel", INBOUND, str(path))[0] == 0
    first, second, third = raws()
    assert first.startswith(b"From: Customer 1 <c1@customer.example>")
    assert b"Subject: mail 1" in first and b"Subject: mail 3" in third
    assert b"the desk of the customer" in second  # the escaped line stays in its mail
    assert b"Bye." in second
    for raw in (first, second, third):
        assert not raw.startswith(b"From c")  # the mbox separator is not part of a mail


def test_maildir_files_are_stored_as_they_are(channel, tmp_path, capsys):
    maildir = make_maildir(tmp_path / "md", 1)
    assert run(capsys, "import", "--channel", INBOUND, str(maildir))[0] == 0
    assert sorted(raws()) == sorted([eml(1), eml(2)])


def test_summary_and_skips_in_process(channel, tmp_path, capsys):
    empty = write(tmp_path / "empty.eml", b"")
    code, out, err = run(capsys, "import", "--channel", INBOUND, str(empty),
                         str(write(tmp_path / "ok.eml", eml(1))))
    assert code != 0
    assert out == f"imported 1 mail(s) into {INBOUND}, 1 skipped\n"
    assert err == f"skipped {empty}: empty file\n"
    assert raws() == [eml(1)]


def test_corpus_files_are_stored_byte_for_byte(channel, capsys):
    folder = CORPUS / "stalwart" / "eml"
    need(folder.is_dir(), f"no mail corpus at {CORPUS}")
    files = sorted(p for p in folder.rglob("*.eml") if not p.read_bytes().startswith(b"From "))
    files = files[:5]
    assert run(capsys, "import", "--channel", INBOUND, *map(str, files))[0] == 0
    assert raws() == [p.read_bytes() for p in files]
