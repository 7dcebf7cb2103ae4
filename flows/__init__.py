"""Deterministic flows, one module per intent.

A flow module decorates its function with `@register("intent")` (and a `Tool`
when the reasoning model may call it); `discover()` imports every module of
this package, so adding a flow is adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from bot.flow import Flow, Registered, Tool

_REGISTRY: dict[str, Registered] = {}


def register(intent: str, *, tool: Tool | None = None) -> Callable[[Flow], Flow]:
    def add(flow: Flow) -> Flow:
        known = _REGISTRY.get(intent)
        if known is not None and known.flow is not flow:
            raise ValueError(f"two flows registered for intent {intent!r}")
        _REGISTRY[intent] = Registered(flow, tool)
        return flow

    return add


def discover() -> dict[str, Registered]:
    """Every flow of this package, by intent."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_REGISTRY)
