"""Channel adapters: thin translations between a chat platform and the channel-free core.

`base.Channel` is the shape every channel has (start, stop, deliver, routes, health); the web
server runs the channels `registry.py` lists. Shared, platform-free pieces live here so every
channel behaves the same:

- `turns.ConversationTurns`: load the conversation state, ask the core, save the state;
- `limits` and `ratelimit.SlidingWindowLimiter`: message size and per-chat flood protection;
- `delivery.OutboxDispatcher`: at-least-once delivery of dossier notifications from the outbox;
- `text.split_message`: split long replies on paragraph/line/word boundaries.

Adapters (`telegram`, `zalo`; the web chat is `assistant.web.api`) contain no matching or
business logic: they turn platform events into `Assistant.handle`/`handle_action` calls and
render the `Reply` they get back.
"""
