"""Personal data is masked before it reaches the audit log."""

from __future__ import annotations

from bot.redact import mask_address, redact


def test_contact_and_payment_details_are_masked() -> None:
    text = (
        "I'm ana.lopez@example.com, call me on +1 (415) 555-0132, "
        "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, order 10042"
    )
    assert redact(text) == (
        "I'm [email], call me on [phone], card [card], IBAN [iban], order 10042"
    )


def test_addresses_show_only_their_end() -> None:
    assert mask_address("whatsapp+14155550132") == "****************0132"
    assert mask_address("abc") == "***"
