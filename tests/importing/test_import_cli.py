"""`mailroom import --channel ADDRESS PATH...`: .eml files, folders of them, Maildirs, mbox.

The tests share one Mailroom; the summary line says how many mails went in, and the main
cases also compare the channel's count in `mailroom channels --json` before and after.
The mails are small byte literals written into tmp_path.
"""

import json

import pytest
from mailfiles import MBOX, eml, make_maildir, write

from conftest import CORPUS, need, with_acme

INBOUND = "acme-contact@in.mailroom.localhost"
PUBLIC = "contact@acme.example"


@pytest.fixture(scope="module")
def mr(tmp_path_factory):
    """A Mailroom with tenant acme and its channel contact@acme.example."""
    mr = with_acme(tmp_path_factory.mktemp("mailroom") / "home")
    return mr


def stored(mr, inbound: str = INBOUND) -> int:
    rows = {r["inbound_address"]: r for r in json.loads(mr.ok("channels", "--json"))}
    return sum(rows[inbound]["counts"].values())


def summary(imported: int, skipped: int = 0, inbound: str = INBOUND) -> str:
    return f"imported {imported} mail(s) into {inbound}, {skipped} skipped\n"


def test_import_one_eml_file(mr, tmp_path):
    before = stored(mr)
    proc = mr("import", "--channel", INBOUND, str(write(tmp_path / "one.eml", eml(1))))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, summary(1), "")
    assert stored(mr) == before + 1


def test_import_a_folder_of_eml_files_with_subfolders(mr, tmp_path):
    write(tmp_path / "export" / "a.eml", eml(1))
    write(tmp_path / "export" / "2023" / "b.eml", eml(2, b"\n"))
    write(tmp_path / "export" / "2023" / "june" / "c.EML", eml(3))
    write(tmp_path / "export" / "README.txt", b"not a mail\n")
    proc = mr("import", "--channel", INBOUND, str(tmp_path / "export"))
    assert (proc.returncode, proc.stdout) == (0, summary(3)), proc.stderr


def test_import_a_maildir_takes_new_and_cur_but_not_tmp(mr, tmp_path):
    proc = mr("import", "--channel", INBOUND, str(make_maildir(tmp_path / "Maildir", 1)))
    assert (proc.returncode, proc.stdout) == (0, summary(2)), proc.stderr


def test_import_an_mbox_splits_it_into_its_mails(mr, tmp_path):
    proc = mr("import", "--channel", INBOUND, str(write(tmp_path / "inbox.mbox", MBOX)))
    # Three, not four: the ">From " line in the second mail is body, not a separator.
    assert (proc.returncode, proc.stdout) == (0, summary(3)), proc.stderr


def test_import_a_mix_in_one_call(mr, tmp_path):
    one = write(tmp_path / "single.eml", eml(1))
    folder = tmp_path / "folder"
    write(folder / "x.eml", eml(2))
    make_maildir(folder / "Archive", 3)  # a Maildir inside a folder: 2 more
    maildir = make_maildir(tmp_path / "Maildir", 5)
    mbox = write(tmp_path / "Sent", MBOX)  # an mbox without a suffix
    before = stored(mr)
    proc = mr("import", "--channel", INBOUND, str(one), str(folder), str(maildir), str(mbox))
    assert (proc.returncode, proc.stdout) == (0, summary(1 + 3 + 2 + 3)), proc.stderr
    assert stored(mr) == before + 9


def test_missing_path_and_empty_file_are_reported_and_skipped_the_rest_imported(mr, tmp_path):
    good = write(tmp_path / "good.eml", eml(1))
    empty = write(tmp_path / "empty.eml", b"")
    blank = write(tmp_path / "mails" / "blank.eml", b"\r\n\r\n")
    missing = tmp_path / "not-there.eml"
    before = stored(mr)
    proc = mr("import", "--channel", INBOUND, str(missing), str(good), str(empty),
              str(tmp_path / "mails"))
    assert proc.returncode != 0
    assert proc.stdout == summary(1, skipped=3)
    assert f"skipped {missing}: no such file or folder" in proc.stderr
    assert f"skipped {empty}: empty file" in proc.stderr
    assert f"skipped {blank}: empty file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert stored(mr) == before + 1


def test_nothing_importable_is_an_error(mr, tmp_path):
    before = stored(mr)
    proc = mr("import", "--channel", INBOUND, str(tmp_path / "nothing-here"))
    assert proc.returncode != 0
    assert proc.stdout == summary(0, skipped=1)
    assert proc.stderr.splitlines()[-1] == "mailroom: error: nothing imported"
    assert stored(mr) == before


def test_unknown_channel_gets_one_line_and_imports_nothing(mr, tmp_path):
    before = stored(mr)
    proc = mr("import", "--channel", "nobody@in.mailroom.localhost",
              str(write(tmp_path / "one.eml", eml(1))))
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no channel with address" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert stored(mr) == before


def test_channel_can_be_named_by_its_public_address(mr, tmp_path):
    proc = mr("import", "--channel", PUBLIC.upper(), str(write(tmp_path / "one.eml", eml(1))))
    assert (proc.returncode, proc.stdout) == (0, summary(1)), proc.stderr  # names the inbound


def test_public_address_of_two_channels_asks_for_the_inbound_one(mr, tmp_path):
    mr.ok("tenant", "add", "shared")
    mr.ok("channel", "add", "shared", "help@shared.example")
    mr.ok("channel", "add", "shared", "help@shared.example")
    proc = mr("import", "--channel", "help@shared.example",
              str(write(tmp_path / "one.eml", eml(1))))
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1
    assert "name the inbound address" in proc.stderr


def test_file_over_the_size_limit_is_skipped(mr, tmp_path):
    saved = mr.env
    mr.env = {**saved, "MAILROOM_MAX_MAIL_BYTES": "2000"}
    try:
        big = write(tmp_path / "big.eml", eml(1) + (b"x" * 76 + b"\r\n") * 40)
        small = write(tmp_path / "small.eml", eml(2))
        proc = mr("import", "--channel", INBOUND, str(big), str(small))
    finally:
        mr.env = saved
    assert proc.returncode != 0
    assert proc.stdout == summary(1, skipped=1)
    assert f"skipped {big}: too large" in proc.stderr


def test_import_a_folder_of_the_shared_corpus(mr):
    zammad = CORPUS / "zammad"
    need(zammad.is_dir(), f"no mail corpus at {CORPUS}")
    count = len(list(zammad.glob("*.box")))
    proc = mr("import", "--channel", INBOUND, str(zammad))
    assert (proc.returncode, proc.stdout) == (0, summary(count)), proc.stderr
