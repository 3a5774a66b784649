import os
import stat
import subprocess
import sys

import pytest

from backend.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_defaults_use_sqlite_under_var_and_the_demo_tenant(tmp_path):
    settings = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///./var/fieldscan.sqlite3"
    assert settings.default_tenant == "demo"
    assert settings.log_level == "INFO"
    assert settings.public_url is None


def test_every_variable_is_read(tmp_path):
    settings = Settings.from_env({
        "FIELDSCAN_DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1/db",
        "FIELDSCAN_PUBLIC_URL": "https://{tenant}.assets.example",
        "FIELDSCAN_DEFAULT_TENANT": "acme",
        "FIELDSCAN_BASE_DOMAIN": "assets.example",
        "FIELDSCAN_SECRET_KEY": "s3cret-from-env-" + "x" * 32,
        "FIELDSCAN_LOG_LEVEL": "debug",
        "FIELDSCAN_MAX_BODY_BYTES": "1024",
        "FIELDSCAN_TOKEN_TTL_MINUTES": "30",
        "FIELDSCAN_VAR_DIR": str(tmp_path),
    })
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.public_url == "https://{tenant}.assets.example"
    assert settings.default_tenant == "acme"
    assert settings.base_domain == "assets.example"
    assert settings.secret_key == "s3cret-from-env-" + "x" * 32
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 1024
    assert settings.token_ttl_minutes == 30
    assert not (tmp_path / "secret_key").exists()  # a given key is never written to disk


def test_settings_are_frozen(tmp_path):
    settings = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.database_url = "sqlite+aiosqlite:///other.sqlite3"  # type: ignore[misc]


def test_secret_key_is_generated_once_private_and_reused(tmp_path):
    first = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    second = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 40
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    other = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path / "elsewhere")})
    assert other.secret_key != first.secret_key


@pytest.mark.parametrize(("name", "value", "says"), [
    pytest.param("FIELDSCAN_LOG_LEVEL", "loud", "FIELDSCAN_LOG_LEVEL", id="log-level"),
    pytest.param("FIELDSCAN_MAX_BODY_BYTES", "ten", "whole number", id="body-not-a-number"),
    pytest.param("FIELDSCAN_MAX_BODY_BYTES", "-5", "positive", id="body-negative"),
    pytest.param("FIELDSCAN_PUBLIC_URL", "assets.example", "http", id="public-url-scheme"),
    pytest.param("FIELDSCAN_SECRET_KEY", "short", "at least 32 bytes", id="secret-too-short"),
])
def test_bad_values_are_refused_with_the_variable_named(tmp_path, name, value, says):
    with pytest.raises(SettingsError, match=says):
        Settings.from_env({name: value, "FIELDSCAN_VAR_DIR": str(tmp_path)})


def test_importing_the_app_configures_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
    subprocess.run([sys.executable, "-c", "import backend.app, backend.cli"], cwd=tmp_path, env=env, check=True)
    assert list(tmp_path.iterdir()) == []  # no var/, no database, no key until an app is built
