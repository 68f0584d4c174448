"""What can end a mail's integration early, as typed exceptions, and the error codes.

The codes are the public list shown in the web service log; each comes with a sentence a
client administrator understands.
"""

ERROR_CODES = {
    "no-sender": "no usable sender address",
    "too-large": "larger than the size limit",
    "too-complex": "structure beyond the safety limits",
    "unparseable": "cannot be read even with the fallbacks",
    "empty": "no subject, text or attachment",
}


class NotConforming(Exception):
    """The mail itself cannot be integrated: it becomes an error counted toward the block."""

    def __init__(self, code: str, text: str):
        assert code in ERROR_CODES, code
        super().__init__(text)
        self.code = code
        self.text = text


class Ignored(Exception):
    """An automatic mail (auto-reply, bounce, loop) that matched no request: kept, not an error."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
