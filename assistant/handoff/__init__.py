"""Handoff to a civil servant: a citizen on any channel reaches a person, and the answer comes
back on the same channel through the outbox. See docs/handoff.md."""
