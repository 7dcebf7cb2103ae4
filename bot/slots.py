"""Ticket memory from free text: the facts a customer gives once and expects kept."""

from __future__ import annotations

import re

from bot.redact import EMAIL

# Bramble-style order numbers are 5 digits; a longer run (a phone, a card) is not one.
_ORDER = re.compile(r"(?<![\d\w])#?(\d{5})(?![\d\w])")


def extract(text: str) -> dict[str, str]:
    """Fields found in `text`, by the names flows read them under."""
    found: dict[str, str] = {}
    order = _ORDER.search(text)
    if order:
        found["order_number"] = order.group(1)
    email = EMAIL.search(text)
    if email:
        found["email"] = email.group(0).lower()
    return found
