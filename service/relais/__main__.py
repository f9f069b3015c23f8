"""`python -m relais` runs the command line."""

from relais.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
