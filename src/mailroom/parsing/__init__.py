"""Mailroom's mail parser: raw bytes in, a plain ParsedMail out. No database, no Django.

parse_mail(raw, limits)          pure; raises only ParseError subclasses (TooComplex,
                                 Unparseable). An empty mail (no bytes but white space) is
                                 Unparseable: there is no sender and nothing to answer.
parse_mail_guarded(raw, limits)  the same in a reusable child process under a wall-clock
                                 limit (limits.timeout_s); a timeout is TooComplex, a crash
                                 of the child Unparseable.
parse_many(raws, limits)         the same for a sequence, one result per mail (a ParsedMail
                                 or a ParseError); the child parses the next mail while
                                 the caller works on the current one.
"""

from mailroom.parsing.errors import ParseError, TooComplex, Unparseable
from mailroom.parsing.guarded import parse_mail_guarded, parse_many
from mailroom.parsing.model import ParsedAttachment, ParsedMail, ParseLimits
from mailroom.parsing.parser import parse_mail

__all__ = [
    "ParseError",
    "ParseLimits",
    "ParsedAttachment",
    "ParsedMail",
    "TooComplex",
    "Unparseable",
    "parse_mail",
    "parse_mail_guarded",
    "parse_many",
]
