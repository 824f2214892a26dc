"""Run the inkread CLI as `python -m inkread`."""

from inkread.cli import main

main()
