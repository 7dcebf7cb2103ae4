"""Switchboard: one conversation engine for every support channel."""

__version__ = "0.1.0"
