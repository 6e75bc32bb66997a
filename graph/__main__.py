"""``python -m reformkg``: the same as the ``reformkg`` command."""

from .cli import main

main()
