"""Typed errors of the platform's operations; the CLI turns them into one-line messages."""


class MailroomError(Exception):
    """An operation refused for a reason the user can fix; str() is the sentence shown."""

    exit_code = 1


class NotFound(MailroomError):
    exit_code = 2


class AlreadyExists(MailroomError):
    exit_code = 3
