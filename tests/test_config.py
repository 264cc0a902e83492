"""Settings are read from the environment in one place, and say which of them are secret."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.config import DEFAULT_CLAIM_SECONDS, Settings, hash_salt, outbox_claim_seconds


def test_from_env_reads_every_setting_the_code_uses():
    settings = Settings.from_env({"ASSISTANT_DEMO": "0", "ASSISTANT_LOG_LEVEL": "DEBUG", "TTHC_TURN_THREADS": "3",
                                  "ASSISTANT_LOCALITY": "none", "ASSISTANT_WEB_PORT": "9090"})
    assert (settings.demo, settings.log_level, settings.turn_threads) == (False, "DEBUG", 3)
    assert settings.locality is None and settings.web_port == 9090
    defaults = Settings.from_env({})
    assert (defaults.demo, defaults.log_level, defaults.turn_threads) == (True, "INFO", 1)
    assert Settings.from_env({"TTHC_TURN_THREADS": "lots"}).turn_threads == 1  # a typo keeps the default


def test_secret_values_are_the_fields_kept_out_of_repr():
    settings = dataclasses.replace(Settings(), telegram_token="123:secret-token", zalo_app_secret="zalo-app-secret",
                                   hotline="1800 1096")
    derived = settings.effective_telegram_webhook_secret
    assert settings.secret_values() == {"123:secret-token", "secret-token", derived, "zalo-app-secret"}
    assert derived and "secret-token" not in derived  # derived from the token, never the token itself
    given = dataclasses.replace(settings, telegram_webhook_secret="hook-secret")
    assert given.effective_telegram_webhook_secret == "hook-secret" and derived not in given.secret_values()
    assert "secret-token" not in repr(settings) and "zalo-app-secret" not in repr(settings)


def test_deep_readers_for_salt_and_claim_lease(monkeypatch):
    monkeypatch.setenv("ASSISTANT_HASH_SALT", "pepper")
    monkeypatch.setenv("ASSISTANT_OUTBOX_CLAIM_SECONDS", "-1")
    assert hash_salt() == "pepper" and outbox_claim_seconds() == DEFAULT_CLAIM_SECONDS


def test_the_lookalike_threshold_is_read_and_checked_at_start_up():
    assert Settings.from_env({}).lookalike_threshold is None  # the shipped model's own
    assert Settings.from_env({"ASSISTANT_LOOKALIKE_THRESHOLD": " 0.5 "}).lookalike_threshold == 0.5
    for bad in ("0", "1.5", "-0.2", "nửa", "nan"):
        with pytest.raises(ValueError, match="ASSISTANT_LOOKALIKE_THRESHOLD"):
            Settings.from_env({"ASSISTANT_LOOKALIKE_THRESHOLD": bad})
