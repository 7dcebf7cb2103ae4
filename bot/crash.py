"""Named points where a test makes this process die exactly as a SIGKILL would.

Durability is about what happens when a process stops at the worst moment, and the
worst moment is too short to hit from outside. `SWITCHBOARD_CRASH_AT=decided` makes
the process exit at once (no cleanup, exit status 137) the first time it passes
`crash_point("decided")`. Unset, as in every deployment, a point costs one set
lookup. The points:

- `decided`: the engine committed an entry and has not started its effects.
"""

from __future__ import annotations

import os

_ARMED = frozenset(
    name.strip() for name in os.environ.get("SWITCHBOARD_CRASH_AT", "").split(",") if name.strip()
)


def crash_point(name: str) -> None:
    if name in _ARMED:
        os._exit(137)
