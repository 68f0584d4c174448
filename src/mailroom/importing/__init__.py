"""Importing mail from files into the transit inbox (migrations, replays from backups)."""
