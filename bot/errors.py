"""The errors Switchboard raises on purpose.

```
SwitchboardError
 ├── StoreError            the store failed or refused
 │    └── LockTimeout      a conversation stayed locked longer than a turn may take
 └── InboxFull             too many events are waiting; the channel answers 503
```
`bot.config.ConfigError` (a `ValueError`) stands apart: it only happens at start-up.
Anything else reaching the engine's error boundary is a bug; it is logged with
the ticket id and the customer gets the localized fallback.
"""


class SwitchboardError(Exception):
    """Base of every error Switchboard raises on purpose."""


class StoreError(SwitchboardError):
    """The store could not do what was asked."""


class LockTimeout(StoreError):
    """A conversation's lock was not free within the lock timeout."""


class InboxFull(SwitchboardError):
    """The inbox holds `INBOX_MAX_PENDING` events; the provider should retry later."""
