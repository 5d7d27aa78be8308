"""Flow testing for CI: golden cases of every path, assertions in the caller's terms, mocks,
coverage of the phone tree, and a diff of two versions of a flow.

Everything here drives the existing simulator engine (`twiml.simulator`) and the existing
explorer (`twiml.flow.explore`); nothing loads until a command or a test asks for it.
"""

from __future__ import annotations

__all__: list[str] = []
