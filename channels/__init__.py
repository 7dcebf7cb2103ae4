"""Channels: one module per provider. Each verifies, parses, hands to the inbox, delivers."""
