"""Integration: each mail in transit becomes a request, a message of one, or an error.

The steps, each a module: parse (mailroom.parsing, no database), check (conformity),
match (which request), apply (create or append, in one transaction). integrate.py runs
them for one mail; worker.py is the loop that never dies for one mail.
"""
