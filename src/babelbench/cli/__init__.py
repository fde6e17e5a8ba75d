"""The `harness` command line: thin commands over the package."""
