"""The history of a recording in words an editor reads: who did what to which item."""
from __future__ import annotations

VERBS = {"approve": "approved", "edit": "edited", "reject": "rejected", "reopen": "reopened", "add": "added",
         "add rule": "added rule", "remove rule": "removed rule", "add term": "added term",
         "remove term": "removed term"}


def describe_change(entry, labels: dict[str, str]) -> tuple[str, str, str]:
    """(verb, kind label, quoted text) of a history entry, in words an editor reads:
    ('edited', 'Quote', '“Ik geloof…”'); the label is '' for rules and terms.

    Parts, not one sentence, so the app can translate the verb and the label.
    """
    undo = entry.action.startswith("undo ")
    verb = VERBS.get(entry.action[5:] if undo else entry.action, entry.action)
    row = entry.after or entry.before or {}
    label = ""
    if entry.tbl == "items":
        label = labels.get(row.get("kind", ""), row.get("kind", ""))
        text = " ".join(str(row.get("text") or row.get("source_text") or "").split())
        what = f"\u201c{text[:48]}{'…' if len(text) > 48 else ''}\u201d"
    elif entry.tbl == "rules":
        what = f"\u201c{row.get('find', '')}\u201d \u2192 \u201c{row.get('replace', '')}\u201d"
    else:
        what = f"\u201c{row.get('term', '')}\u201d"
    return (f"undid: {verb}" if undo else verb), label, what
