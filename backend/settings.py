"""Configuration: one frozen Struct read from ``FIELDSCAN_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from collections.abc import Mapping

import msgspec

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/fieldscan.sqlite3"
MIN_SECRET_BYTES = 32  # HMAC-SHA256 keys shorter than the hash are guessable
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A FIELDSCAN_* variable has a value the service cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = DEFAULT_DATABASE_URL
    # Origin used in QR codes; may contain ``{tenant}``, e.g. https://{tenant}.assets.example
    public_url: str | None = None
    default_tenant: str = "demo"
    # Host that counts as "bare" (no tenant label), e.g. assets.example; localhost and IPs always do.
    base_domain: str | None = None
    secret_key: str
    log_level: str = "INFO"
    max_body_bytes: int = 10 * 1024 * 1024
    token_ttl_minutes: int = 12 * 60
    var_dir: str = "./var"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"FIELDSCAN_{name}")
            return value if value not in (None, "") else None

        var_dir = get("VAR_DIR") or "./var"
        values: dict[str, object] = {"var_dir": var_dir}
        for field, name in (
            ("database_url", "DATABASE_URL"),
            ("public_url", "PUBLIC_URL"),
            ("default_tenant", "DEFAULT_TENANT"),
            ("base_domain", "BASE_DOMAIN"),
            ("secret_key", "SECRET_KEY"),
        ):
            value = get(name)
            if value is not None:
                values[field] = value
        if (level := get("LOG_LEVEL")) is not None:
            level = level.upper()
            if level not in LOG_LEVELS:
                raise SettingsError(f"FIELDSCAN_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
            values["log_level"] = level
        for field, name in (("max_body_bytes", "MAX_BODY_BYTES"), ("token_ttl_minutes", "TOKEN_TTL_MINUTES")):
            raw = get(name)
            if raw is None:
                continue
            try:
                number = int(raw)
            except ValueError:
                raise SettingsError(f"FIELDSCAN_{name} must be a whole number, not {raw!r}") from None
            if number <= 0:
                raise SettingsError(f"FIELDSCAN_{name} must be positive, not {number}")
            values[field] = number
        values.update(overrides)
        if "secret_key" not in values:
            values["secret_key"] = load_or_create_secret(Path(str(values["var_dir"])))
        settings = cls(**values)  # type: ignore[arg-type]
        if len(settings.secret_key.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"FIELDSCAN_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long "
                                "(or leave it unset to have one generated)")
        if settings.public_url is not None:
            if not settings.public_url.startswith(("http://", "https://")):
                raise SettingsError("FIELDSCAN_PUBLIC_URL must start with http:// or https://")
        return settings

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_or_create_secret(var_dir: Path) -> str:
    """The signing key kept under ``var/``: generated on first use, then reused so tokens survive restarts."""
    path = var_dir / "secret_key"
    try:
        secret = path.read_text().strip()
        if secret:
            return secret
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start at once, the first one's key wins and both use it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret
