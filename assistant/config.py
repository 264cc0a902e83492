"""Settings come from the environment only, so secrets never live in files or logs.

This is the only module that reads `os.environ` (tests/test_architecture.py enforces it). Code
that needs a setting takes a `Settings` (or one value of it) from its caller; the few readers
below exist for values a library or a deep helper needs before any `Settings` is at hand.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_CATALOG_DIR = PACKAGE_ROOT.parent / "procedures_catalog"
DEFAULT_LOCALITY = "khanh-hoa"
HASH_SALT_ENV = "ASSISTANT_HASH_SALT"
DEFAULT_HASH_SALT = "tthc-assistant"
CLAIM_SECONDS_ENV = "ASSISTANT_OUTBOX_CLAIM_SECONDS"
DEFAULT_CLAIM_SECONDS = 60.0
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own name for it


def hash_salt() -> str:
    """ASSISTANT_HASH_SALT: the salt of user and contact hashes (read where a hash is made, so
    one-off tools and every worker agree without being handed it)."""
    return os.environ.get(HASH_SALT_ENV, DEFAULT_HASH_SALT)


def outbox_claim_seconds() -> float:
    """The claim lease from ASSISTANT_OUTBOX_CLAIM_SECONDS (default 60 s). A shorter lease re-sends
    a dead worker's notifications sooner but must stay longer than one platform send with its
    retries, or a slow send would be claimed and sent again by another worker."""
    raw = os.environ.get(CLAIM_SECONDS_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_CLAIM_SECONDS
    except ValueError:
        return DEFAULT_CLAIM_SECONDS
    return value if value > 0 else DEFAULT_CLAIM_SECONDS


def ca_bundle() -> str | None:
    """SSL_CERT_FILE: a CA bundle to trust instead of certifi's (corporate proxies)."""
    return os.environ.get("SSL_CERT_FILE") or None


def metrics_dir() -> str | None:
    """PROMETHEUS_MULTIPROC_DIR: where worker processes share their metric values."""
    return os.environ.get(METRICS_DIR_ENV) or None


def share_metrics_dir(path: str) -> None:
    """Export the metrics directory to worker processes started after this call. prometheus_client
    reads it from the environment in each worker, before any metric exists; nothing else can
    hand it over."""
    os.environ[METRICS_DIR_ENV] = path


def _split_ids(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int((raw or "").strip())
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Settings:
    catalog_dir: Path = DEFAULT_CATALOG_DIR
    locality: str | None = DEFAULT_LOCALITY
    data_dir: Path = Path("data")
    database_url: str | None = None  # None: SQLite file under data_dir
    hotline: str = "1800 1096"  # free line of Cổng Dịch vụ công quốc gia (portal footer: "Tổng đài hỗ trợ: 18001096"); a province sets its own
    portal_url: str = "https://dichvucong.gov.vn"
    telegram_token: str | None = field(default=None, repr=False)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_bot_username: str | None = None
    telegram_api_base: str | None = None  # a self-hosted Bot API server (PTB base_url convention)
    staff_chat_ids: frozenset[str] = frozenset()
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_url: str | None = None  # how citizens reach the web chat (for QR codes)
    zalo_app_id: str | None = None
    zalo_oa_secret_key: str | None = field(default=None, repr=False)
    zalo_access_token: str | None = field(default=None, repr=False)
    zalo_refresh_token: str | None = field(default=None, repr=False)
    zalo_app_secret: str | None = field(default=None, repr=False)
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    demo: bool = True  # ASSISTANT_DEMO=0: no demo banner, demo codes or demo dossiers (production)
    log_level: str = "INFO"
    turn_threads: int = 1  # TTHC_TURN_THREADS: threads running conversation turns on SQLite
    # Limits that hold across workers (counted in the database; see SECURITY.md).
    lookup_window_seconds: int = 600
    lookups_per_session: int = 20  # dossier lookups (found or not) per chat/session per window
    lookups_per_address: int = 300  # per client address (web): generous, offices share one address
    misses_per_session: int = 5  # codes that do not exist, per chat/session per window
    misses_per_address: int = 60
    ratings_per_session: int = 10  # 👍/👎 per hour
    ratings_per_address: int = 200
    subscriptions_per_dossier: int = 20
    subscriptions_per_session: int = 10
    subscriptions_per_address: int = 50  # new subscriptions per client address per day
    zalo_event_max_age_seconds: int = 300  # older signed Zalo events are refused as replays
    # Retention (days): conversations and the question log are deleted after this; 0 keeps them.
    retention_days: int = 180
    web_notification_days: int = 30  # undelivered web notifications expire (the page never came back)
    cache_bytes: int = 32 * 1024 * 1024  # per worker, for the caches keyed by message text
    # Handoff to a civil servant (assistant/handoff): the Telegram staff group that receives
    # requests, how long transcripts are kept, the staff inbox's cookie-signing secret, and the
    # office hours ("07:30-11:30,13:30-17:00") when the locality's catalogue gives none.
    handoff_chat_id: str | None = None
    transcript_retention_days: int = 90
    staff_secret: str | None = field(default=None, repr=False)
    office_hours: str | None = None
    # The doubt (0..1) above which the look-alike check asks "is it this procedure?" instead of
    # answering (assistant.nlu.lookalike); None: the shipped model's own. Lower asks back more
    # often and sends fewer citizens to the wrong office (docs/deploy.md has the measured curve).
    lookalike_threshold: float | None = None

    def secret_values(self) -> set[str]:
        """The values of every secret setting (declared with `repr=False`) and the secrets derived
        from them, for log redaction."""
        values = {value for f in fields(self) if not f.repr and isinstance(value := getattr(self, f.name), str)
                  and value}
        if self.telegram_token:
            # The bot id before the colon is public; the rest is the secret.
            values.add(self.telegram_token.partition(":")[2])
            values.add(self.effective_telegram_webhook_secret or "")
        return {value for value in values if value}

    @property
    def effective_telegram_webhook_secret(self) -> str | None:
        """The secret token for Telegram's setWebhook: TELEGRAM_WEBHOOK_SECRET, or one derived from
        the bot token (stable across workers and restarts, never the token itself). Telegram
        allows 1–256 characters of A–Z, a–z, 0–9, _ and -."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret
        if not self.telegram_token:
            return None
        return hmac.new(self.telegram_token.encode(), b"tthc-telegram-webhook", hashlib.sha256).hexdigest()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'assistant.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        locality = env.get("ASSISTANT_LOCALITY", DEFAULT_LOCALITY).strip()
        return cls(
            catalog_dir=Path(env.get("ASSISTANT_CATALOG_DIR") or DEFAULT_CATALOG_DIR),
            locality=None if locality.lower() in ("", "none", "-") else locality,
            data_dir=Path(env.get("ASSISTANT_DATA_DIR") or "data"),
            database_url=env.get("DATABASE_URL") or None,
            hotline=env.get("ASSISTANT_HOTLINE", cls.hotline),
            portal_url=env.get("ASSISTANT_PORTAL_URL", cls.portal_url),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_bot_username=env.get("TELEGRAM_BOT_USERNAME") or None,
            telegram_api_base=env.get("TELEGRAM_API_BASE") or None,
            staff_chat_ids=_split_ids(env.get("ASSISTANT_STAFF_CHAT_IDS", "")),
            web_host=env.get("ASSISTANT_WEB_HOST", "127.0.0.1"),
            web_port=int(env.get("ASSISTANT_WEB_PORT", "8080")),
            public_url=env.get("ASSISTANT_PUBLIC_URL") or None,
            zalo_app_id=env.get("ZALO_APP_ID") or None,
            zalo_oa_secret_key=env.get("ZALO_OA_SECRET_KEY") or None,
            zalo_access_token=env.get("ZALO_ACCESS_TOKEN") or None,
            zalo_refresh_token=env.get("ZALO_REFRESH_TOKEN") or None,
            zalo_app_secret=env.get("ZALO_APP_SECRET") or None,
            zalo_api_base=env.get("ZALO_API_BASE", cls.zalo_api_base),
            zalo_oauth_base=env.get("ZALO_OAUTH_BASE", cls.zalo_oauth_base),
            demo=env.get("ASSISTANT_DEMO", "1") != "0",
            log_level=env.get("ASSISTANT_LOG_LEVEL", "INFO") or "INFO",
            turn_threads=_positive_int(env.get("TTHC_TURN_THREADS"), 1),
            **_ints(env),
            handoff_chat_id=(env.get("ASSISTANT_HANDOFF_CHAT_ID") or "").strip() or None,
            transcript_retention_days=_positive_int(env.get("ASSISTANT_TRANSCRIPT_DAYS"),
                                                    cls.transcript_retention_days),
            staff_secret=env.get("ASSISTANT_STAFF_SECRET") or None,
            office_hours=(env.get("ASSISTANT_OFFICE_HOURS") or "").strip() or None,
            lookalike_threshold=_threshold(env.get("ASSISTANT_LOOKALIKE_THRESHOLD", "")),
        )


def _threshold(raw: str) -> float | None:
    """ASSISTANT_LOOKALIKE_THRESHOLD: empty for the model's own; else a number in (0, 1], checked at
    start-up (0 would ask back about every question, above 1 would turn the check off unnoticed)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"ASSISTANT_LOOKALIKE_THRESHOLD must be a number between 0 and 1, not {raw!r}") from None
    if not 0.0 < value <= 1.0:
        raise ValueError(f"ASSISTANT_LOOKALIKE_THRESHOLD must be above 0 and at most 1, not {raw!r}")
    return value


# Integer settings: environment variable -> field.
INT_SETTINGS = {
    "ASSISTANT_LOOKUP_WINDOW_SECONDS": "lookup_window_seconds",
    "ASSISTANT_LOOKUPS_PER_SESSION": "lookups_per_session",
    "ASSISTANT_LOOKUPS_PER_ADDRESS": "lookups_per_address",
    "ASSISTANT_MISSES_PER_SESSION": "misses_per_session",
    "ASSISTANT_MISSES_PER_ADDRESS": "misses_per_address",
    "ASSISTANT_RATINGS_PER_SESSION": "ratings_per_session",
    "ASSISTANT_RATINGS_PER_ADDRESS": "ratings_per_address",
    "ASSISTANT_SUBSCRIPTIONS_PER_DOSSIER": "subscriptions_per_dossier",
    "ASSISTANT_SUBSCRIPTIONS_PER_SESSION": "subscriptions_per_session",
    "ASSISTANT_SUBSCRIPTIONS_PER_ADDRESS": "subscriptions_per_address",
    "ZALO_EVENT_MAX_AGE_SECONDS": "zalo_event_max_age_seconds",
    "ASSISTANT_RETENTION_DAYS": "retention_days",
    "ASSISTANT_WEB_NOTIFICATION_DAYS": "web_notification_days",
    "ASSISTANT_CACHE_BYTES": "cache_bytes",
}


def _ints(env: dict[str, str]) -> dict[str, int]:
    """The integer settings present in `env`; a value that is not a whole number >= 0 is an
    error at start-up, not a silent default."""
    values: dict[str, int] = {}
    for name, attribute in INT_SETTINGS.items():
        raw = env.get(name, "").strip()
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
        if value < 0:
            raise ValueError(f"{name} must not be negative")
        values[attribute] = value
    return values
