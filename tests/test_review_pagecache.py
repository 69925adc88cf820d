"""The recording page cache (pipeline/review/pagecache.py): a hit is always the page as it would be
rendered now. Changes made outside the app (another app process, the pipeline rewriting an artifact,
a restored database) show at once."""
from __future__ import annotations

from review_fixture import SLUG, app_client, sample_paths

from pipeline.artifacts.drafts import Drafts
from pipeline.artifacts.sentences import SentenceSet
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


def test_page_from_kept_parts_is_the_page_rendered_afresh(tmp_path):
    # After each change the page is re-made from kept transcript chapters and draft cards where these
    # did not change: it must read exactly as a fresh app (nothing kept) renders it.
    paths = sample_paths(tmp_path)
    warm = app_client(paths)
    warm.get(f"/r/{SLUG}")
    store = ReviewStore(paths.review_db)
    item = Drafts.load(paths.work_dir(SLUG) / "drafts.json").chapters[1].summary[0]
    sentence = SentenceSet.load(paths.work_dir(SLUG) / "sentences.json").sentences[4]
    changes = [
        lambda: store.set_item(SLUG, "summary_sentence", item.id, "approve", source_text=item.text, editor="Anne",
                               expected_version=0),
        lambda: store.correct_sentence(SLUG, sentence.id, source_text=sentence.text, editor="Bert",
                                       expected_version=0, text=sentence.text.replace("Krachtenbundeling", "KB")),
        lambda: store.add_rule(SLUG, "burgers", "inwoners", "Anne"),
        lambda: store.set_item(SLUG, "summary_sentence", item.id, "reopen", source_text=item.text, editor="Anne",
                               expected_version=1),
    ]
    for change in changes:
        change()
        fresh = app_client(paths)
        fresh.app.state.csrf = warm.app.state.csrf
        assert warm.get(f"/r/{SLUG}").text == fresh.get(f"/r/{SLUG}").text
