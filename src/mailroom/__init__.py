"""Mailroom: turns the mail customers send to many companies into helpdesk requests."""

__version__ = "0.1.0"
