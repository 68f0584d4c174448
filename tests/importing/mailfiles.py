"""Small mail files for the import tests: .eml bytes, an mbox, a Maildir."""


def eml(n: int, newline: bytes = b"\r\n") -> bytes:
    lines = [
        f"From: Customer {n} <c{n}@customer.example>",
        "To: contact@acme.example",
        f"Subject: mail {n}",
        f"Message-ID: <m{n}@customer.example>",
        "",
        f"Body of mail {n}.",
        "",
    ]
    return newline.join(line.encode() for line in lines)


MBOX = (
    b"From c1@customer.example Mon Jan  1 10:00:00 2024\n"
    + eml(1, b"\n")
    + b"\n"
    + b"From c2@customer.example Mon Jan  1 10:05:00 2024\n"
    + b"From: c2@customer.example\nSubject: escaped\n\n"
    + b"Hello,\n>From the desk of the customer: this line began with 'From '.\nBye.\n"
    + b"\n"
    + b"From c3@customer.example Mon Jan  1 10:10:00 2024\n"
    + eml(3, b"\n")
)


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_maildir(root, first: int):
    """A Maildir with one mail in new/, one in cur/, and what must be left alone."""
    write(root / "new" / f"1700000000.M{first}P1.host", eml(first))
    write(root / "cur" / f"1700000001.M{first + 1}P1.host:2,S", eml(first + 1))
    write(root / "tmp" / "1700000002.M0P1.host", eml(99))  # still being delivered
    write(root / "cur" / ".hidden", eml(98))
    return root
