"""Receiving: the SMTP and LMTP servers that put forwarded mail into the transit inbox."""
