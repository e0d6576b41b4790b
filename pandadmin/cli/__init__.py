"""The `pandadmin` command line: argparse in, core calls out (one module per command group).

`pandadmin.cli:main` is the console-script entry point; `main.py` registers the groups.
"""

from pandadmin.cli.main import main

__all__ = ["main"]
