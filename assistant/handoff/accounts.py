"""Staff accounts and sessions for the inbox.

Passwords are hashed with argon2id (argon2-cffi, the maintained binding of the Password Hashing
Competition winner) and re-hashed on login when the parameters change. A session is a random
id stored in the database and sent to the browser signed (itsdangerous), so logging out or
disabling an account ends it on every worker at once, and a forged or altered cookie is
refused before any query. Logins are throttled per account (locked for a while after repeated
failures, counted in the database so every worker agrees) and per client address (in process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.handoff.models import StaffSession, StaffUser
from assistant.store.repos import utcnow

SESSION_HOURS = 12  # one working day; a civil servant logs in again the next morning
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
_U = StaffUser.__table__
_S = StaffSession.__table__
_HASHER = PasswordHasher()
# A hash checked when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    name: str


class AccountError(ValueError):
    """A refused account change, with a Vietnamese message for the terminal."""


class LoginResult:
    ok = "ok"
    bad = "bad"
    locked = "locked"


def valid_name(name: str) -> bool:
    return 2 <= len(name) <= 40 and all(ch.isalnum() or ch in "._-" for ch in name)


class StaffAccounts:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    # -- accounts ------------------------------------------------------------------------------

    def add(self, name: str, password: str) -> Staff:
        if not valid_name(name):
            raise AccountError("Tên tài khoản chỉ gồm chữ, số và . _ - (2–40 ký tự).")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
        try:
            with self.engine.begin() as conn:
                staff_id = conn.execute(insert(_U).values(
                    name=name, password_hash=_HASHER.hash(password), active=True, failed_logins=0,
                    created_at=self.clock())).inserted_primary_key[0]
        except IntegrityError as exc:
            raise AccountError(f"Tài khoản {name} đã có.") from exc
        return Staff(int(staff_id), name)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
        with self.engine.begin() as conn:
            row = conn.execute(select(_U.c.id).where(_U.c.name == name)).first()
            if row is None:
                raise AccountError(f"Không có tài khoản {name}.")
            conn.execute(update(_U).where(_U.c.id == row.id).values(
                password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None))
            conn.execute(delete(_S).where(_S.c.staff_id == row.id))  # old sessions end with the old password

    def disable(self, name: str) -> bool:
        with self.engine.begin() as conn:
            row = conn.execute(select(_U.c.id).where(_U.c.name == name)).first()
            if row is None:
                return False
            conn.execute(update(_U).where(_U.c.id == row.id).values(active=False))
            conn.execute(delete(_S).where(_S.c.staff_id == row.id))
        return True

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(_U.c.name).where(_U.c.active.is_(True)).order_by(_U.c.name)).scalars())

    # -- login ---------------------------------------------------------------------------------

    def login(self, name: str, password: str) -> tuple[str, Staff | None]:
        """(LoginResult.ok, staff) or (bad|locked, None). A locked account is refused even with
        the right password, so guessing during the lock learns nothing."""
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(select(_U.c.id, _U.c.name, _U.c.password_hash, _U.c.active, _U.c.locked_until)
                               .where(_U.c.name == name[:80])).first()
        if row is None or not row.active:
            _check(_DUMMY_HASH, password)
            return LoginResult.bad, None
        if row.locked_until is not None and row.locked_until > now:
            return LoginResult.locked, None
        if not _check(row.password_hash, password):
            with self.engine.begin() as conn:
                failures = conn.execute(update(_U).where(_U.c.id == row.id).values(
                    failed_logins=_U.c.failed_logins + 1).returning(_U.c.failed_logins)).scalar_one()
                if failures >= MAX_FAILURES:
                    conn.execute(update(_U).where(_U.c.id == row.id).values(
                        failed_logins=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES)))
                    return LoginResult.locked, None
            return LoginResult.bad, None
        changes: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if _HASHER.check_needs_rehash(row.password_hash):
            changes["password_hash"] = _HASHER.hash(password)
        with self.engine.begin() as conn:
            conn.execute(update(_U).where(_U.c.id == row.id).values(**changes))
        return LoginResult.ok, Staff(row.id, row.name)

    # -- sessions ------------------------------------------------------------------------------

    def new_session(self, staff: Staff) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(insert(_S).values(id=session_id, staff_id=staff.id, created_at=now,
                                           expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
        return session_id

    def session(self, session_id: str) -> Staff | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_U.c.id, _U.c.name).select_from(_S.join(_U, _U.c.id == _S.c.staff_id)).where(
                _S.c.id == session_id, _S.c.expires_at > self.clock(), _U.c.active.is_(True))).first()
        return Staff(row.id, row.name) if row else None

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_S).where(_S.c.id == session_id))


def _check(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class CookieSigner:
    """Signs session ids for the cookie and derives each session's CSRF token."""

    SALT = "tthc-staff-session"

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=self.SALT)
        self._csrf_key = hashlib.sha256(f"csrf:{secret}".encode()).digest()

    def dumps(self, session_id: str) -> str:
        return self._serializer.dumps(session_id)

    def loads(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > 400:
            return None
        try:
            value = self._serializer.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf(self, session_id: str) -> str:
        return hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(session_id), str(token))


__all__ = ["AccountError", "CookieSigner", "LoginResult", "Staff", "StaffAccounts", "valid_name"]
