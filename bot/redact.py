"""Personal data out of text before it reaches a log that outlives the ticket."""

from __future__ import annotations

import re
from typing import Any

# An address as people write one. Every part is bounded (RFC 5321's own limits) and a
# match may start only where a word starts: a pattern like `[\w.+-]+@` retries from every
# character of a long word without an `@`, which took 50 s on one 100,000-character word.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")

_PATTERNS = (
    # IBANs first: their digit groups would otherwise read as a card number.
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"), "[iban]"),
    (EMAIL, "[email]"),
    # 13-19 digits, optionally grouped: payment cards.
    (re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"), "[card]"),
    # 7+ digits with the separators people type: phone numbers.
    (re.compile(r"(?<![\w+])\+?\d[\d ().-]{5,}\d(?!\d)"), "[phone]"),
)


def redact(text: str) -> str:
    for pattern, mask in _PATTERNS:
        text = pattern.sub(mask, text)
    return text


def redact_value(value: Any) -> Any:
    """`redact` applied to every string inside dicts and lists."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def mask_address(customer: str) -> str:
    """A customer id for display: enough to tell two apart, not enough to reach them."""
    if len(customer) <= 4:
        return "*" * len(customer)
    return "*" * (len(customer) - 4) + customer[-4:]
