"""Security regressions of the review app (issue 12, item 8): media types, id ranges, tokens, logs."""
from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from review_fixture import (
    JSON,
    SLUG,
    app_client,
    csrf,
    sample_paths,
)

from pipeline.artifacts.manifest import load_recording, save_recording
from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError
from pipeline.review import app as review_app
from pipeline.review.app import check_token, create_app

TOKEN = "k3Vx9-quiet-river-42"


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return sample_paths(tmp_path)


@pytest.fixture()
def client(paths) -> TestClient:
    return app_client(paths, None)




@pytest.mark.parametrize("name", ["evil.html", "evil.js", "evil.svg", "notes.txt"])
def test_media_route_never_serves_active_content_inline(client, paths, name):
    (paths.recording_dir(SLUG) / name).write_text("<script>window.__xss = 1</script>")
    rec = load_recording(paths, SLUG)
    rec.media = name
    save_recording(paths, rec)
    page = client.get(f"/r/{SLUG}/media")
    served_inline = page.status_code == 200 and "attachment" not in page.headers.get("content-disposition", "")
    assert not served_inline, (page.status_code, page.headers)
    assert "<script>" not in page.text
    assert "html" not in page.headers.get("content-type", "") and "javascript" not in page.headers.get(
        "content-type", "")


def test_media_route_sends_audio_with_nosniff(client):
    page = client.get(f"/r/{SLUG}/media")
    assert page.status_code == 200 and page.headers["content-type"].startswith("audio/")
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("number", [str(2**63), str(2**64 + 7), "9" * 40, "0", "-1"])
def test_ids_out_of_range_are_422_not_500(client, number):
    token = csrf(client)
    form = {"csrf": token, "editor": "Anne", "version": "1"}
    remove = client.post(f"/r/{SLUG}/rules/{number}/remove", data=form, headers=JSON)
    assert remove.status_code == 422, remove.text
    undo = client.post(f"/r/{SLUG}/undo/{number}", data=form, headers=JSON)
    assert undo.status_code == 422, undo.text
    assert "Traceback" not in remove.text + undo.text


def test_version_beyond_int64_is_422(client):
    form = {"csrf": csrf(client), "editor": "Anne", "action": "reject", "version": str(2**70)}
    answer = client.post(f"/r/{SLUG}/items/quote/quote-s000015000", data=form, headers=JSON)
    assert answer.status_code == 422 and "version" in answer.json()["error"]


def test_largest_valid_id_is_a_plain_not_found(client):
    answer = client.post(f"/r/{SLUG}/undo/{2**63 - 1}", data={"csrf": csrf(client), "editor": "Anne"},
                         headers=JSON)
    assert answer.status_code == 422 and "geen wijziging" in answer.json()["error"]


@pytest.mark.parametrize("bad", ["   ", "\t\n", "s3cret", "a" * 15, " " + "a" * 20, "sixteen chars ok!!"])
def test_weak_tokens_are_refused_at_startup(paths, bad):
    with pytest.raises(ConfigError, match="at least 16 characters"):
        check_token(bad)
    with pytest.raises(ConfigError, match="at least 16 characters"):
        create_app(paths, token=bad)


def test_good_token_is_accepted_and_none_means_local_only():
    assert check_token(TOKEN) == TOKEN
    assert check_token(None) is None and check_token("") is None


def test_cli_refuses_a_whitespace_token_with_one_clear_error(monkeypatch, capsys, paths):
    from pipeline.cli import main

    started = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(k))
    monkeypatch.setenv("REVIEW_TOKEN", "        ")
    assert main(["--data", str(paths.root), "review", "--host", "0.0.0.0"]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "at least 16 characters" in err and "Traceback" not in err
    assert started == [], "the app never started"


def test_token_is_never_logged_and_access_log_is_off(monkeypatch, caplog, capsys, paths):
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    with caplog.at_level(logging.DEBUG):
        review_app.serve(paths, host="0.0.0.0", port=8799, token=TOKEN)
    assert calls and calls[0]["access_log"] is False, "uvicorn's access log would print ?token=…"
    out = capsys.readouterr()
    assert "8799" in caplog.text, "the address is still logged"
    assert TOKEN not in caplog.text + out.out + out.err


def test_token_query_moves_to_a_cookie_and_error_pages_do_not_echo_it(paths, caplog):
    client = TestClient(create_app(paths, token=TOKEN), raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        wrong = client.get("/?token=" + TOKEN[::-1])
        login = client.get("/?token=" + TOKEN, follow_redirects=False)
    assert wrong.status_code == 401 and TOKEN[::-1] not in wrong.text
    assert login.status_code == 303 and TOKEN not in login.headers["location"]
    assert client.get("/").status_code == 200
    # httpx (the test's own client) logs its request URLs; what matters is the app and its server.
    app_logs = [r.getMessage() for r in caplog.records if r.name.startswith(("pipeline", "uvicorn", "fastapi"))]
    assert not any(TOKEN in line for line in app_logs)
