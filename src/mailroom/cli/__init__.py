"""The `mailroom` command: one module per command, each thin over the platform's code."""
