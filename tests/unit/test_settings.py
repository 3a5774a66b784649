import os
import stat
import subprocess
import sys

import pytest

from backend.settings import SOURCE_ROOT, Settings, SettingsError, data_folder


def test_defaults_use_sqlite_in_the_data_folder_and_the_demo_tenant(tmp_path):
    settings = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    assert settings.var_dir == str(tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/fieldscan.sqlite3"
    assert settings.sqlite_file == tmp_path / "fieldscan.sqlite3"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
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
        "FIELDSCAN_HOST": "0.0.0.0",
        "FIELDSCAN_PORT": "8437",
    })
    assert settings.database_url == "postgresql+asyncpg://u@127.0.0.1/db"
    assert settings.sqlite_file is None
    assert settings.public_url == "https://{tenant}.assets.example"
    assert settings.default_tenant == "acme"
    assert settings.base_domain == "assets.example"
    assert settings.secret_key == "s3cret-from-env-" + "x" * 32
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 1024
    assert settings.token_ttl_minutes == 30
    assert (settings.host, settings.port) == ("0.0.0.0", 8437)
    assert settings.var_dir == str(tmp_path)
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
    pytest.param("FIELDSCAN_PORT", "http", "FIELDSCAN_PORT must be a whole number, not 'http'", id="port-not-a-number"),
    pytest.param("FIELDSCAN_PORT", "0", "FIELDSCAN_PORT must be a port number from 1 to 65535, not 0", id="port-0"),
    pytest.param("FIELDSCAN_PORT", "65536", "from 1 to 65535, not 65536", id="port-too-big"),
    pytest.param("FIELDSCAN_HOST", "  ", "FIELDSCAN_HOST must name an address", id="host-blank"),
])
def test_bad_values_are_refused_with_the_variable_named(tmp_path, name, value, says):
    with pytest.raises(SettingsError, match=says):
        Settings.from_env({name: value, "FIELDSCAN_VAR_DIR": str(tmp_path)})


def test_importing_the_app_configures_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
    subprocess.run([sys.executable, "-c", "import backend.app, backend.cli"], cwd=tmp_path, env=env, check=True)
    assert list(tmp_path.iterdir()) == []  # no var/, no database, no key until an app is built


def test_ports_at_the_ends_of_the_range_are_accepted(tmp_path):
    for port in (1, 65535):
        assert Settings.from_env({"FIELDSCAN_PORT": str(port), "FIELDSCAN_VAR_DIR": str(tmp_path)}).port == port


def test_the_default_database_follows_the_data_folder_and_a_given_one_does_not(tmp_path):
    moved = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path / "elsewhere")})
    assert moved.database_url == f"sqlite+aiosqlite:///{tmp_path}/elsewhere/fieldscan.sqlite3"
    given = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path / "elsewhere"),
                               "FIELDSCAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/mine.sqlite3"})
    assert given.database_url == f"sqlite+aiosqlite:///{tmp_path}/mine.sqlite3"


def test_relative_paths_are_resolved_against_the_current_directory_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"FIELDSCAN_VAR_DIR": "data",
                                  "FIELDSCAN_DATABASE_URL": "sqlite+aiosqlite:///./db/x.sqlite3?timeout=5"})
    assert settings.var_dir == str(tmp_path / "data")
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/db/x.sqlite3?timeout=5"
    assert settings.sqlite_file == tmp_path / "db" / "x.sqlite3"
    memory = Settings.from_env({"FIELDSCAN_VAR_DIR": "data", "FIELDSCAN_DATABASE_URL": "sqlite+aiosqlite://"})
    assert memory.database_url == "sqlite+aiosqlite://" and memory.sqlite_file is None


def test_the_data_folder_is_the_checkouts_var_else_the_users_data_folder(tmp_path):
    assert (SOURCE_ROOT / "pyproject.toml").is_file()  # these tests run from a checkout
    assert data_folder({}) == SOURCE_ROOT / "var"
    assert data_folder({"FIELDSCAN_VAR_DIR": str(tmp_path)}) == tmp_path
    installed = tmp_path / "site-packages"  # a wheel install: no pyproject.toml beside backend/
    (installed / "backend").mkdir(parents=True)
    assert data_folder({"XDG_DATA_HOME": str(tmp_path / "xdg")}, installed) == tmp_path / "xdg" / "fieldscan"
    assert data_folder({"HOME": str(tmp_path / "home")}, installed) == tmp_path / "home" / ".local/share/fieldscan"
    # A relative XDG_DATA_HOME is ignored, as the XDG spec says.
    assert data_folder({"HOME": str(tmp_path), "XDG_DATA_HOME": "xdg"}, installed) == tmp_path / ".local/share/fieldscan"


def test_the_default_data_folder_does_not_depend_on_the_current_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
    code = ("from backend.settings import Settings; s = Settings.from_env(store_secret=False); "
            "print(s.var_dir); print(s.database_url)")
    shown = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True,
                           text=True).stdout.splitlines()
    assert shown == [str(SOURCE_ROOT / "var"), f"sqlite+aiosqlite:///{SOURCE_ROOT / 'var' / 'fieldscan.sqlite3'}"]
    assert list(tmp_path.iterdir()) == []


def test_without_store_secret_nothing_is_written_and_a_stored_key_is_still_used(tmp_path):
    loose = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path / "new")}, store_secret=False)
    assert len(loose.secret_key) >= 40
    assert not (tmp_path / "new").exists()
    stored = Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)})
    assert Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path)}, store_secret=False).secret_key == stored.secret_key


@pytest.mark.parametrize("raw", ["127.0.0.1", "10.0.0.0/8, 192.168.1.4", "::1,fd00::/8", "*"])
def test_trusted_proxies_take_addresses_networks_or_everyone(raw):
    settings = Settings.from_env({"FIELDSCAN_TRUSTED_PROXIES": raw}, store_secret=False)
    assert settings.trusted_proxies == raw


@pytest.mark.parametrize("raw", ["proxy.local", "10.0.0.0/33", "127.0.0.1,,10.0.0.1", "10.0.0.5/8", "127.0.0.1,*"])
def test_a_misspelt_trusted_proxy_is_refused_rather_than_never_matched(raw):
    with pytest.raises(SettingsError, match="FIELDSCAN_TRUSTED_PROXIES"):
        Settings.from_env({"FIELDSCAN_TRUSTED_PROXIES": raw}, store_secret=False)


def test_only_loopback_proxies_are_trusted_by_default():
    assert Settings.from_env({}, store_secret=False).trusted_proxies == "127.0.0.1"


def test_processes_starting_at_once_share_one_whole_secret_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from backend.settings import load_or_create_secret

    with ThreadPoolExecutor(16) as pool:
        keys = set(pool.map(lambda _: load_or_create_secret(tmp_path), range(64)))
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left behind


@pytest.mark.parametrize("name", ["scanner-pc", "scanner-pc.lan", "a1"])
def test_the_lan_name_is_a_host_name(name):
    assert Settings.from_env({"FIELDSCAN_LAN_NAME": name}, store_secret=False).lan_name == name


@pytest.mark.parametrize("name", ["Scanner PC", "-pc", "pc_1", "a..b"])
def test_a_lan_name_that_is_no_host_name_is_refused(name):
    with pytest.raises(SettingsError, match="FIELDSCAN_LAN_NAME"):
        Settings.from_env({"FIELDSCAN_LAN_NAME": name}, store_secret=False)
