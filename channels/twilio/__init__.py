"""Twilio: SMS and WhatsApp (Messaging). Voice is not built yet."""

from channels.twilio.messaging import TwilioMessaging

__all__ = ["TwilioMessaging"]
