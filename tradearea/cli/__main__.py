"""`python -m tradearea.cli`."""

from tradearea.cli import main

main()
