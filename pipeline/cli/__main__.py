"""`python -m pipeline.cli`: the same entry point as the `newswatch` script."""

from pipeline.cli import main

main()
