"""State behind one interface: `MemoryStore` (embedded) or `RedisStore` (`REDIS_URL`)."""

from bot.config import Settings
from bot.store.base import Change, Lease, Snapshot, Store
from bot.store.memory import MemoryStore


def open_store(settings: Settings) -> Store:
    """The store the settings ask for; Redis is imported only when it is used."""
    if settings.redis_url is None:
        return MemoryStore(
            max_turns=settings.transcript_max_turns,
            lock_timeout=settings.lock_timeout_seconds,
            done_ttl=settings.dedupe_ttl_seconds,
        )
    from bot.store.redis_store import RedisStore

    return RedisStore.from_url(
        settings.redis_url,
        prefix=settings.redis_prefix,
        verify_tls=settings.redis_tls_verify == "on",
        cluster=settings.redis_cluster == "on",
        max_connections=settings.redis_max_connections,
        pool_timeout=settings.redis_pool_timeout_seconds,
        max_turns=settings.transcript_max_turns,
        lock_timeout=settings.lock_timeout_seconds,
        lock_lease=settings.lock_lease_seconds,
        retention_seconds=settings.retention_days * 86400,
        done_ttl=settings.dedupe_ttl_seconds,
    )


__all__ = ["Change", "Lease", "MemoryStore", "Snapshot", "Store", "open_store"]
