"""Typed parse failures: what the integrator stores as an error row (code + sentence)."""


class ParseError(Exception):
    """A mail that cannot be turned into a ParsedMail.

    ``code`` is stable and machine-readable; ``text`` is one English sentence for a
    client administrator (shown in Administration > Logs), never a stack trace.
    """

    code = "parse-error"

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class TooComplex(ParseError):
    """The mail exceeds a structural limit (size, nesting, parts, time)."""

    code = "too-complex"


class Unparseable(ParseError):
    """Even the fallback parsers could not read the mail."""

    code = "unparseable"
