"""`python -m twiml` runs the `twiml` command line."""

from __future__ import annotations

import sys

from twiml.cli import main

sys.exit(main())
