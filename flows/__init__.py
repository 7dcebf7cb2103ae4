"""Deterministic flows, one module per intent.

A flow module decorates its function with `@register("intent")`; `discover()`
imports every module of this package, so adding a flow is adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from bot.flow import Flow

_REGISTRY: dict[str, Flow] = {}


def register(intent: str) -> Callable[[Flow], Flow]:
    def add(flow: Flow) -> Flow:
        if intent in _REGISTRY and _REGISTRY[intent] is not flow:
            raise ValueError(f"two flows registered for intent {intent!r}")
        _REGISTRY[intent] = flow
        return flow

    return add


def discover() -> dict[str, Flow]:
    """Every flow of this package, by intent."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_REGISTRY)
