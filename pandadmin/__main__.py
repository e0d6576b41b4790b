"""`python -m pandadmin` is the `pandadmin` command."""

import sys

from pandadmin.cli import main

sys.exit(main())
