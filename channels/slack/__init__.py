"""Slack: the agent console (handoff cards, ticket threads) and a customer channel."""

from channels.slack.channel import Slack, client_for
from channels.slack.desk import SlackDesk

__all__ = ["Slack", "SlackDesk", "client_for"]
