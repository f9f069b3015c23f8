"""`python -m relais` runs the command line."""

from relais.cli import main

raise SystemExit(main())
