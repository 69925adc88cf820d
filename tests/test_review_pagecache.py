"""The recording page cache (pipeline/review/pagecache.py): a hit is always the page as it would be
rendered now. Changes made outside the app (another app process, the pipeline rewriting an artifact,
a restored database) show at once."""
from __future__ import annotations

from review_fixture import SLUG, app_client, sample_paths

from pipeline.artifacts.drafts import Drafts
from pipeline.editorial.store import ReviewStore


def test_page_follows_changes_made_outside_the_app(tmp_path):
    paths = sample_paths(tmp_path)
    client = app_client(paths)
    first = client.get(f"/r/{SLUG}").text
    assert client.get(f"/r/{SLUG}").text == first, "unchanged inputs: the same page"

    ReviewStore(paths.review_db).add_term("Krattenbundeling-net", "Bert")  # another process writes
    assert "Krattenbundeling-net" in client.get(f"/r/{SLUG}").text

    drafts_path = paths.work_dir(SLUG) / "drafts.json"
    drafts = Drafts.load(drafts_path)
    drafts.introduction = "Een nieuwe introductie van de pijplijn."
    drafts.save(drafts_path)  # the pipeline re-ran the drafts stage
    assert "Een nieuwe introductie van de pijplijn." in client.get(f"/r/{SLUG}").text

    dutch = app_client(paths, None).get(f"/r/{SLUG}").text
    assert '<html lang="nl">' in dutch and ">Goedkeuren</button>" in dutch, "one page per interface language"
    assert '<html lang="en">' in client.get(f"/r/{SLUG}").text


def test_each_app_serves_its_own_csrf_token(tmp_path):
    paths = sample_paths(tmp_path)
    one, two = app_client(paths), app_client(paths)
    token = one.app.state.csrf
    assert token in one.get(f"/r/{SLUG}").text
    page = two.get(f"/r/{SLUG}").text
    assert token not in page and two.app.state.csrf in page
