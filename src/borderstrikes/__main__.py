"""Run the command-line interface: ``python -m borderstrikes``."""

import sys

from borderstrikes.cli import main

sys.exit(main())
