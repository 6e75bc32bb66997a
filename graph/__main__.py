"""``python -m reformkg``: the same as the ``reformkg`` command."""

from .cli import main

if __name__ == "__main__":  # worker processes (spawned) import this module again: they must not run the CLI
    main()
