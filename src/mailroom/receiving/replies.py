"""Every reply the receiver gives a sending MTA, in one place (RFC 5321 4.2, RFC 3463 codes).

A sending MTA bounces a 5xx for good, so 5xx is kept for what is wrong with the mail
itself; any fault of ours is 451 and the sender retries.
"""

OK = "250 2.0.0 Ok: queued as {ids}"
UNKNOWN_RECIPIENT = "550 5.1.1 <{address}>: no such mailbox here (relay denied)"
UNKNOWN_RECIPIENT_UNSHOWN = "550 5.1.1 No such mailbox here (relay denied)"
BAD_RECIPIENT = "501 5.1.3 Bad recipient address syntax"
TOO_BIG = "552 5.3.4 Message too big for system"
LOCAL_FAULT = "451 4.3.0 Temporary local problem, please try again later"

# aiosmtpd's own texts for the size limit, rewritten to carry the enhanced status code.
AIOSMTPD_REWRITES = {
    "552 Error: Too much mail data": TOO_BIG,
    "552 Error: message size exceeds fixed maximum message size": TOO_BIG,
}
