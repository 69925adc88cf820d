"""Editors' speaker edits applied to speakers.json: rename, merge, split (pure functions, no I/O).

Edits are anchored by time, not by speaker id, because re-processing may renumber the clusters: a
rename or merge names its speakers by moments inside their longest turns, and at apply time each
moment picks whichever speaker speaks then in the new speakers.json (the most moments win). A split
moves the turns inside [start, end) to another speaker, or to a new one. Edits apply in the order
they were made, always to the machine's speakers: an artifact that already carries edits keeps the
machine's turns in info['editor']['machine'], so applying twice gives the same result.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from pipeline.artifacts.speakers import UNNAMED, SpeakerEntry, Speakers, Turn

OPS = ("rename", "merge", "split")
EDITOR_SOURCE = "editor"  # name_source of a name an editor gave
ANCHORS = 3               # moments recorded per speaker: the middles of its longest turns


@dataclass(frozen=True)
class SpeakerEdit:
    """One editor's change to the speakers of a recording.

    rename: `at` (moments of the speaker) gets `name`. merge: `at` (the speaker merged away) goes
    into `into` (moments of the speaker kept). split: speech in [start, end) goes to `into`, or to a
    new speaker (named `name` when given) when `into` is empty. `speaker`/`target` are the ids the
    editor saw, used only by an edit that has no moments (an id may name another voice after re-processing).
    """

    op: str
    at: tuple[float, ...] = ()
    into: tuple[float, ...] = ()
    name: str = ""
    start: float | None = None
    end: float | None = None
    speaker: str = ""
    target: str = ""
    item_id: str = field(default="", compare=False)

    def to_data(self) -> dict[str, Any]:
        """The edit as stored in review.sqlite (item data)."""
        data = asdict(self)
        data.pop("item_id")
        return {**data, "at": list(self.at), "into": list(self.into)}

    @classmethod
    def from_data(cls, data: dict[str, Any], item_id: str = "") -> SpeakerEdit:
        """An edit from its stored data; ValueError when it is not one."""
        op = data.get("op")
        if op not in OPS:
            raise ValueError(f"unknown speaker edit {op!r}")
        times = {k: tuple(float(t) for t in data.get(k) or ()) for k in ("at", "into")}
        span = {k: (float(data[k]) if data.get(k) is not None else None) for k in ("start", "end")}
        if op == "split" and (span["start"] is None or span["end"] is None or span["end"] <= span["start"]):
            raise ValueError("a split needs start < end")
        return cls(op=op, name=str(data.get("name") or ""), speaker=str(data.get("speaker") or ""),
                   target=str(data.get("target") or ""), item_id=item_id, **times, **span)


def anchors_of(speakers: Speakers, speaker_id: str, n: int = ANCHORS) -> tuple[float, ...]:
    """Moments that identify a speaker: the middles of its `n` longest turns (longest first)."""
    turns = sorted((t for t in speakers.turns if t.speaker == speaker_id), key=lambda t: (t.start - t.end, t.start))
    return tuple(round((t.start + t.end) / 2, 3) for t in turns[:n])


def resolve(speakers: Speakers, at: tuple[float, ...], fallback: str = "") -> str:
    """The speaker speaking at most of the moments `at` (ties: the earlier moment); '' when nobody
    speaks at any of them. Only an edit without moments falls back to the id the editor saw: after
    re-processing an id may name another voice."""
    found = [speakers.speaker_id_of(t - 0.05, t + 0.05) for t in at]
    votes = Counter(k for k in found if k)
    if votes:
        best = max(votes.values())
        return next(k for k in found if k and votes[k] == best)
    return fallback if not at and any(e.id == fallback for e in speakers.speakers) else ""


def edits_digest(edits: list[SpeakerEdit]) -> str:
    """sha256 of the edits in force ('' when there are none, so stage params stay as they were)."""
    if not edits:
        return ""
    payload = [e.to_data() for e in edits]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def machine_speakers(speakers: Speakers) -> Speakers:
    """The speakers as the machine found them, without any editor's edits."""
    layer = speakers.info.get("editor")
    if not isinstance(layer, dict) or "machine" not in layer:
        return speakers
    machine = layer["machine"]
    info = {k: v for k, v in speakers.info.items() if k != "editor"}
    warnings = [w for w in speakers.warnings if w not in layer.get("warnings", [])]
    return replace(speakers, turns=[Turn(float(s), float(e), str(k)) for s, e, k in machine["turns"]],
                   speakers=[SpeakerEntry(**e) for e in machine["speakers"]], info=info, warnings=warnings)


def apply_speaker_edits(speakers: Speakers, edits: list[SpeakerEdit]) -> Speakers:
    """A new artifact: the machine's speakers with `edits` applied in order (names' source 'editor').

    An edit whose speakers cannot be found any more is skipped with a warning."""
    base = machine_speakers(speakers)
    if not edits:
        return base
    work = _Work(replace(base, turns=list(base.turns), speakers=[replace(e) for e in base.speakers]))
    outcome = [(edit.item_id, work.apply(edit)) for edit in edits]
    problems = [p for _, p in outcome if p]
    result = work.result()
    layer = {"digest": edits_digest(edits), "edits": len(edits), "warnings": problems,
             "not_applied": [item_id for item_id, p in outcome if p],
             "machine": {"turns": [[t.start, t.end, t.speaker] for t in base.turns],
                         "speakers": [asdict(e) for e in base.speakers]}}
    return replace(result, info={**base.info, "editor": layer}, warnings=base.warnings + problems)


def edit_pending(speakers: Speakers, edits: list[SpeakerEdit]) -> bool:
    """Does speakers.json lack edits the editors made (the pipeline has not re-run since)?"""
    layer = speakers.info.get("editor")
    applied = layer.get("digest", "") if isinstance(layer, dict) else ""
    return applied != edits_digest(edits)


class _Work:
    """Speakers being edited: one edit at a time, lookups always on the current state."""

    def __init__(self, speakers: Speakers):
        self.speakers = speakers

    def entry(self, speaker_id: str) -> SpeakerEntry | None:
        return next((e for e in self.speakers.speakers if e.id == speaker_id), None)

    def apply(self, edit: SpeakerEdit) -> str:
        """Apply one edit; a warning ('' when it applied)."""
        what = f"speaker edit {edit.item_id or edit.op} ({edit.op}{' to ' + edit.name if edit.name else ''})"
        if edit.op == "split":
            return self._split(edit, what)
        source = resolve(self.speakers, edit.at, edit.speaker)
        if not source:
            return f"{what}: no voice speaks at {', '.join(f'{t:.1f}' for t in edit.at)} s any more; not applied"
        if edit.op == "rename":
            self._name(source, edit.name)
            return ""
        target = resolve(self.speakers, edit.into, edit.target)
        if not target:
            return f"{what}: the speaker to merge into is gone; not applied"
        if target != source:
            self._merge(source, target)
        return ""

    def _name(self, speaker_id: str, name: str) -> None:
        entry = self.entry(speaker_id)
        if entry is not None:
            entry.name, entry.name_source, entry.label = name, EDITOR_SOURCE, name

    def _merge(self, source: str, target: str) -> None:
        kept, gone = self.entry(target), self.entry(source)
        if kept is not None and gone is not None and not kept.name and gone.name:
            kept.name, kept.name_source, kept.label = gone.name, gone.name_source, gone.label
        self._set(turns=[replace(t, speaker=target) if t.speaker == source else t for t in self.speakers.turns])

    def _split(self, edit: SpeakerEdit, what: str) -> str:
        assert edit.start is not None and edit.end is not None
        target = resolve(self.speakers, edit.into, edit.target) if (edit.into or edit.target) else self._new(edit.name)
        if not target:
            return f"{what}: the speaker to move {edit.start:.1f}-{edit.end:.1f} s to is gone; not applied"
        turns = []
        for t in self.speakers.turns:
            if t.end <= edit.start or t.start >= edit.end or t.speaker == target:
                turns.append(t)
                continue
            cut = (max(t.start, edit.start), min(t.end, edit.end))
            turns += [replace(t, end=cut[0])] if t.start < cut[0] else []
            turns.append(Turn(cut[0], cut[1], target))
            turns += [replace(t, start=cut[1])] if cut[1] < t.end else []
        self._set(turns=turns)
        return ""

    def _new(self, name: str) -> str:
        taken = {e.id for e in self.speakers.speakers}
        speaker_id = next(f"SPEAKER_{n:02d}" for n in range(len(taken) + 1) if f"SPEAKER_{n:02d}" not in taken)
        if name:
            entry = SpeakerEntry(speaker_id, name, 0.0, EDITOR_SOURCE, "presenter", name)
        else:
            word = UNNAMED.get(self.speakers.language, UNNAMED["en"])
            n = 1 + sum(1 for e in self.speakers.speakers if e.label.startswith(word + " "))
            entry = SpeakerEntry(speaker_id, None, 0.0, None, "presenter", f"{word} {n}")
        self.speakers.speakers.append(entry)
        return speaker_id

    def _set(self, turns: list[Turn]) -> None:
        self.speakers = replace(self.speakers, turns=_joined(turns))

    def result(self) -> Speakers:
        seconds: dict[str, float] = {}
        for t in self.speakers.turns:
            seconds[t.speaker] = seconds.get(t.speaker, 0.0) + t.end - t.start
        entries = [replace(e, seconds=round(seconds[e.id], 2)) for e in self.speakers.speakers if e.id in seconds]
        return replace(self.speakers, speakers=entries)


def _joined(turns: list[Turn]) -> list[Turn]:
    """Turns in time order, turns of one speaker that touch or overlap joined into one (overlap: the
    stereo path, where a split can give one range of both channels to the same speaker)."""
    out: list[Turn] = []
    for t in sorted(turns, key=lambda t: (t.start, t.end)):
        if t.end - t.start <= 0:
            continue
        near = [i for i in range(len(out) - 1, max(-1, len(out) - 8), -1)
                if out[i].speaker == t.speaker and t.start <= out[i].end + 0.001]
        if near:
            out[near[0]] = replace(out[near[0]], end=max(out[near[0]].end, t.end))
        else:
            out.append(t)
    return out
