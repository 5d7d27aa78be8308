"""The studio extra loads only when a flow is used: `import twiml`, the CLI's parser and
`twiml.testing` never import python-liquid or jsonschema."""

from __future__ import annotations

import subprocess
import sys


def test_the_extra_is_imported_lazily() -> None:
    code = (
        "import sys, twiml, twiml.testing, twiml.cli; twiml.cli._parser(); "
        "from twiml.testing import Call; "
        "print(sorted(m for m in ('liquid', 'jsonschema') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
