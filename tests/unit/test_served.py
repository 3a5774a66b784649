"""The address `fieldscan serve` records, and the origins `labels` and `tenant create` derive from it."""

import json

import pytest

from backend.served import (SERVED_FILE, OriginError, label_origin, local_origin, origin_for, record_served_origin, served_origin,
                            tenant_local_origin)
from backend.settings import Settings


def settings(tmp_path, **env: str) -> Settings:
    return Settings.from_env({"FIELDSCAN_VAR_DIR": str(tmp_path), **{f"FIELDSCAN_{k}": v for k, v in env.items()}},
                             store_secret=False)


def test_the_recorded_origin_is_read_back_and_replaced_whole(tmp_path):
    assert served_origin(tmp_path / "data") is None
    record_served_origin(tmp_path / "data", "http://127.0.0.1:8437/")
    assert served_origin(tmp_path / "data") == "http://127.0.0.1:8437"
    record_served_origin(tmp_path / "data", "https://192.168.1.20:8000")
    assert served_origin(tmp_path / "data") == "https://192.168.1.20:8000"
    assert [p.name for p in (tmp_path / "data").iterdir()] == [SERVED_FILE]  # no temporary file left behind
    assert json.loads((tmp_path / "data" / SERVED_FILE).read_text())["origin"] == "https://192.168.1.20:8000"


@pytest.mark.parametrize("content", ["", "{", "[]", '{"origin": 8000}', '{"origin": "ftp://x"}'])
def test_an_unreadable_record_counts_as_none(tmp_path, content):
    (tmp_path / SERVED_FILE).write_text(content)
    assert served_origin(tmp_path) is None


@pytest.mark.parametrize(("host", "origin"), [
    ("127.0.0.1", "http://127.0.0.1:8000"),
    ("0.0.0.0", "http://127.0.0.1:8000"),  # every interface: this machine reaches it on loopback
    ("::", "http://[::1]:8000"),
    ("::1", "http://[::1]:8000"),
    ("localhost", "http://localhost:8000"),
])
def test_origin_for_a_listening_address(host, origin):
    assert origin_for("http", host, 8000) == origin


def test_a_tenant_on_a_local_origin_is_its_own_host_name():
    assert tenant_local_origin("http://127.0.0.1:8437", "acme") == "http://acme.localhost:8437"
    assert tenant_local_origin("https://192.168.1.20:8000", "acme") == "https://acme.localhost:8000"
    assert tenant_local_origin("http://localhost", "acme") == "http://acme.localhost:80"


def test_label_origin_order(tmp_path):
    plain = settings(tmp_path, PORT="9001")
    origin, note = label_origin(plain, "demo")
    assert origin == "http://127.0.0.1:9001"
    assert "no address recorded by `fieldscan serve`" in note and "FIELDSCAN_PORT" in note
    assert note.endswith("set FIELDSCAN_PUBLIC_URL (e.g. https://{tenant}.assets.example) or pass --base-url")

    record_served_origin(tmp_path, "http://127.0.0.1:8437")
    assert local_origin(plain)[0] == "http://127.0.0.1:8437"
    origin, note = label_origin(plain, "demo")
    assert origin == "http://127.0.0.1:8437" and f"recorded in {tmp_path / SERVED_FILE}" in note
    origin, note = label_origin(plain, "acme")
    assert origin == "http://acme.localhost:8437" and "tenant 'acme' answers on acme.localhost" in note

    public = settings(tmp_path, PUBLIC_URL="https://{tenant}.assets.example/")
    assert label_origin(public, "acme")[0] == "https://acme.assets.example"
    assert "from FIELDSCAN_PUBLIC_URL" in label_origin(public, "acme")[1]
    origin, note = label_origin(public, "acme", "https://labels.example")
    assert origin == "https://labels.example" and "given by --base-url" in note
    # An address given on purpose is printed as given, even a local one.
    assert label_origin(plain, "acme", "http://127.0.0.1:8000")[0] == "http://127.0.0.1:8000"


@pytest.mark.parametrize(("recorded", "env"), [
    pytest.param("https://192.168.1.20:8443", {}, id="lan-address"),
    pytest.param("http://scanner-pc:8000", {}, id="bare-host-name"),
    pytest.param("https://assets.example", {"BASE_DOMAIN": "assets.example"}, id="base-domain"),
])
def test_a_served_address_that_opens_the_default_tenant_prints_only_its_labels(tmp_path, recorded, env):
    record_served_origin(tmp_path, recorded)
    assert label_origin(settings(tmp_path, **env), "demo")[0] == recorded
    # acme's AST-000001 must never open demo's AST-000001.
    with pytest.raises(OriginError, match=r"opens tenant 'demo', not 'acme'; for labels of 'acme', set FIELDSCAN_PUBLIC_URL"):
        label_origin(settings(tmp_path, **env), "acme")


def test_a_served_host_that_names_a_tenant_prints_that_tenants_labels_only(tmp_path):
    record_served_origin(tmp_path, "https://globex.assets.example")
    assert label_origin(settings(tmp_path), "globex")[0] == "https://globex.assets.example"
    with pytest.raises(OriginError, match="opens tenant 'globex', not 'acme'"):
        label_origin(settings(tmp_path), "acme")
