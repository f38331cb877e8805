"""Sources: each reads one kind of file and yields plain items (or an Issue for an unreadable row).

A source is an iterable with a ``rows_read`` attribute (CSV records read so far) and a
``name`` (the board, stored as ``source``).
"""
