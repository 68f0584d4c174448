"""One module per `mailroom` command; each has register(subparsers) and a handler."""
