"""Configuration: one frozen Struct read from ``FIELDSCAN_*`` environment variables."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from collections.abc import Mapping

import msgspec

from backend.files import create_exclusively

DATABASE_FILE = "fieldscan.sqlite3"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MIN_SECRET_BYTES = 32  # HMAC-SHA256 keys shorter than the hash are guessable
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HOST_NAME = re.compile(r"^(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\Z")
# The folder that holds backend/: a source checkout when pyproject.toml sits beside it.
SOURCE_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A FIELDSCAN_* variable has a value the service cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # The data folder, absolute: secret key, the address `serve` last served on, the default SQLite file.
    var_dir: str
    database_url: str
    # Origin used in QR codes; may contain ``{tenant}``, e.g. https://{tenant}.assets.example
    public_url: str | None = None
    default_tenant: str = "demo"
    # Host that counts as "bare" (no tenant label), e.g. assets.example; localhost and IPs always do.
    base_domain: str | None = None
    secret_key: str
    # Where `fieldscan serve` listens unless --host/--port say otherwise.
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    # Reverse proxies whose X-Forwarded-Proto/-For are believed (uvicorn's forwarded_allow_ips): IPs or
    # networks, comma-separated, or "*"; a header from anyone else is ignored.
    trusted_proxies: str = "127.0.0.1"
    # The host name `serve --lan` puts in its certificate and prints beside the addresses (default: this machine's).
    lan_name: str | None = None
    log_level: str = "INFO"
    max_body_bytes: int = 10 * 1024 * 1024
    token_ttl_minutes: int = 12 * 60
    # Requests a minute (0: no limit): the API per API key or signed-in user (a tenant may set its own),
    # the public label pages and QR images per client address, sign-in attempts per client address.
    api_rate_limit: int = 3000
    public_rate_limit: int = 120
    signin_rate_limit: int = 60
    # Ports a network printer may be set to besides 9100 (raw TCP printing): a printer's address is where
    # the service opens connections, so it must not reach the database's or any other service's port.
    printer_ports: tuple[int, ...] = ()
    # Printers on loopback (this machine itself): refused unless set, as the service's own neighbours live there.
    printer_allow_loopback: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, store_secret: bool = True,
                 **overrides: object) -> Settings:
        """The settings the environment describes. With store_secret=False nothing is written: a key not
        given and not yet stored is made up for this process only (the CLI signs nothing)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"FIELDSCAN_{name}")
            return value if value not in (None, "") else None

        values: dict[str, object] = {}
        for field, name in (
            ("database_url", "DATABASE_URL"),
            ("public_url", "PUBLIC_URL"),
            ("default_tenant", "DEFAULT_TENANT"),
            ("base_domain", "BASE_DOMAIN"),
            ("secret_key", "SECRET_KEY"),
            ("host", "HOST"),
            ("trusted_proxies", "TRUSTED_PROXIES"),
            ("lan_name", "LAN_NAME"),
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
            number = _whole_number(name, raw)
            if number <= 0:
                raise SettingsError(f"FIELDSCAN_{name} must be positive, not {number}")
            values[field] = number
        for field, name in (("api_rate_limit", "API_RATE_LIMIT"), ("public_rate_limit", "PUBLIC_RATE_LIMIT"),
                            ("signin_rate_limit", "SIGNIN_RATE_LIMIT")):
            if (raw := get(name)) is not None:
                if (number := _whole_number(name, raw)) < 0:
                    raise SettingsError(f"FIELDSCAN_{name} must be a number of requests a minute (0: no limit), not {number}")
                values[field] = number
        if (raw := get("PRINTER_PORTS")) is not None:
            values["printer_ports"] = _printer_ports(raw)
        if (raw := get("PRINTER_ALLOW_LOOPBACK")) is not None:
            values["printer_allow_loopback"] = _yes_or_no("PRINTER_ALLOW_LOOPBACK", raw)
        if (raw := get("PORT")) is not None:
            port = _whole_number("PORT", raw)
            if not 1 <= port <= 65535:
                raise SettingsError(f"FIELDSCAN_PORT must be a port number from 1 to 65535, not {port}")
            values["port"] = port
        values.update(overrides)
        # Resolved once, here: every later use (and serve's workers) sees the same absolute folder and file.
        var_dir = Path(str(values.get("var_dir") or data_folder(env))).expanduser().absolute()
        values["var_dir"] = str(var_dir)
        values["database_url"] = _absolute_sqlite(str(values.get("database_url") or sqlite_url(var_dir / DATABASE_FILE)))
        if "secret_key" not in values:
            values["secret_key"] = (load_or_create_secret(var_dir) if store_secret
                                    else stored_secret(var_dir) or secrets.token_urlsafe(48))
        if not str(values.get("host", DEFAULT_HOST)).strip():
            raise SettingsError("FIELDSCAN_HOST must name an address to listen on, e.g. 127.0.0.1 or 0.0.0.0")
        _check_trusted_proxies(str(values.get("trusted_proxies", "127.0.0.1")))
        if (lan_name := values.get("lan_name")) is not None and not HOST_NAME.match(str(lan_name)):
            raise SettingsError(f"FIELDSCAN_LAN_NAME must be a host name (letters, digits, hyphens and dots), "
                                f"not {lan_name!r}")
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

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL and in-memory SQLite."""
        return _sqlite_path(self.database_url)


def data_folder(environ: Mapping[str, str] | None = None, source_root: Path = SOURCE_ROOT) -> Path:
    """FIELDSCAN_VAR_DIR (relative to the current directory); else the checkout's var/ when the package runs
    from its source (scripts/setup installs it editable); else $XDG_DATA_HOME/fieldscan."""
    env = os.environ if environ is None else environ
    if given := env.get("FIELDSCAN_VAR_DIR"):
        return Path(given).expanduser().absolute()
    if (source_root / "pyproject.toml").is_file() and (source_root / "backend").is_dir():
        return source_root / "var"
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says to ignore a relative XDG_DATA_HOME.
    base = Path(xdg) if os.path.isabs(xdg) else Path(env.get("HOME") or Path.home()) / ".local" / "share"
    return base / "fieldscan"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        database = make_url(url).database
    except ArgumentError:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _absolute_sqlite(url: str) -> str:
    """A SQLite URL with a relative path made absolute (against the current directory, once, at start)."""
    path = _sqlite_path(url)
    if path is None or path.is_absolute():
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=str(path.absolute())).render_as_string(hide_password=False)


def _check_trusted_proxies(raw: str) -> None:
    """Each entry an IP address or network as uvicorn reads them, or "*" alone: uvicorn would quietly never
    match a misspelt entry, a network with host bits set (10.0.0.5/8), or a "*" inside a list."""
    import ipaddress

    if raw.strip() == "*":
        return
    for entry in (part.strip() for part in raw.split(",")):
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise SettingsError(f"FIELDSCAN_TRUSTED_PROXIES takes IP addresses or networks separated by commas "
                                f"(e.g. 127.0.0.1,10.0.0.0/8), or * alone for every peer; {entry!r} is not one") from None


def _printer_ports(raw: str) -> tuple[int, ...]:
    ports = []
    for entry in (part.strip() for part in raw.split(",")):
        if not (entry.isascii() and entry.isdigit()) or not 1 <= int(entry) <= 65535:
            raise SettingsError(f"FIELDSCAN_PRINTER_PORTS takes port numbers (1-65535) separated by commas "
                                f"(e.g. 6101,9101); {entry!r} is not one")
        ports.append(int(entry))
    return tuple(sorted(set(ports)))


def _yes_or_no(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise SettingsError(f"FIELDSCAN_{name} must be true or false, not {raw!r}")


def _whole_number(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"FIELDSCAN_{name} must be a whole number, not {raw!r}") from None


def stored_secret(var_dir: Path) -> str | None:
    try:
        return (var_dir / "secret_key").read_text().strip() or None
    except FileNotFoundError:
        return None


def load_or_create_secret(var_dir: Path) -> str:
    """The signing key kept under ``var/``: generated on first use, then reused so tokens survive restarts."""
    if secret := stored_secret(var_dir):
        return secret
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the key, and by default the database, live here
    # When several processes start at once, the first key written wins whole and every one of them uses it.
    create_exclusively(var_dir / "secret_key", (secrets.token_urlsafe(48) + "\n").encode(), 0o600)
    return stored_secret(var_dir) or ""
