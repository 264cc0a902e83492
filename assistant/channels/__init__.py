"""Channel adapters: thin translations between a chat platform and the channel-free core.

Shared, platform-free helpers live next to the adapters so every channel behaves the same:

- `text.split_message`: split long replies on paragraph/line/word boundaries;
- `ratelimit.SlidingWindowLimiter`: per-chat flood protection with bounded memory;
- `delivery.OutboxDispatcher`: at-least-once delivery of dossier notifications from the outbox.

Adapters (`telegram`, `web`, `zalo`) contain no matching or business logic: they turn platform
events into `Assistant.handle`/`handle_action` calls and render the `Reply` they get back.
"""
