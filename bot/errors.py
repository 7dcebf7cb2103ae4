"""The errors Switchboard raises on purpose.

```
SwitchboardError
 ├── StoreError            the store failed or refused
 │    ├── LockTimeout      a conversation stayed locked longer than a turn may wait
 │    └── LeaseLost        the lock expired under its holder; its commit was refused
 ├── InboxUnavailable      the inbox cannot take an event now; the channel answers 503
 │    └── InboxFull        too many events are waiting
 └── DeliveryError         a provider did not take a message (retryable or final)
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


class LeaseLost(StoreError):
    """A holder's lease on a conversation ran out and another holder may have it: the
    holder's decision is dropped (its entry is still in the inbox and is decided again)."""


class InboxUnavailable(SwitchboardError):
    """The inbox could not journal an event (Redis is unreachable, or the process is
    shutting down); the provider should retry later."""


class InboxFull(InboxUnavailable):
    """The inbox holds `INBOX_MAX_PENDING` events; the provider should retry later."""


class DeliveryError(SwitchboardError):
    """A provider did not take a message for the customer.

    `retryable` when trying again may work (a 429, a 5xx, a timeout, a refused
    connection), with the wait the provider asked for in `retry_after`; the outbox
    retries those for a bounded time. Anything else is final.
    """

    def __init__(
        self, detail: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.retryable = retryable
        self.retry_after = retry_after
