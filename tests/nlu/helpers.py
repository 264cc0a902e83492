"""Small helpers for the question-family tests."""

from assistant.dialogue.conversation import Conversation


def ask(assistant, text):
    """One question in a fresh conversation, as the JSON a channel would receive."""
    return assistant.handle(text, Conversation()).to_json()
