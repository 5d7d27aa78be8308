"""Helpers shared by the editor's Pilot tests."""

from __future__ import annotations

SIZE = (120, 40)
"""Terminal size every Pilot and snapshot test runs at."""


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has applied pending messages and refreshed its views."""
    await pilot.pause()
    for _ in range(200):
        if pilot.app.idle:
            break
        await pilot.pause(0.02)
    await pilot.pause()
