"""``python -m memberlens`` runs the command line."""

from memberlens.cli import main

main()
