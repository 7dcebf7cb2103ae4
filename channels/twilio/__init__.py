"""Twilio: SMS and WhatsApp (Messaging) and voice (ConversationRelay or `<Gather>`)."""

from channels.twilio.messaging import TwilioMessaging
from channels.twilio.voice import TwilioVoice

__all__ = ["TwilioMessaging", "TwilioVoice"]
