"""One module per command: each opens what it needs, calls the library, and hands a result to a printer.

cli.py only declares the commands (typer) and calls `run()` here; nothing in this package parses options.

May import: every library package and ui/. Never cli.
"""
