"""``python -m service.cli``: the ``vocmatch`` command."""

from service.cli import main

main()
