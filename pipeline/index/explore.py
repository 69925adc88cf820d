"""Tables and a plot for researchers (notebooks/explore_transcripts.ipynb imports these).

- `load_segments`: every recording's segments table (chapters stage) as one DataFrame;
- `load_sentences`: every indexed row (sentence, chapter, speaker, corrected text) from the index
  (through the search backend, so it works whatever engine holds the index);
- `talk_time`: minutes per speaker and chapter;
- `distinctive_terms`: the words that set a chapter apart (tf-idf over stems, stopwords dropped);
- `plot_talk_time`: one stacked bar chart.

Chapters are numbered from 1 (`chapter_number`), as in search results, `pipeline status` and exports.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from pathlib import Path

import pandas as pd

from pipeline.core.config import DataPaths, data_paths
from pipeline.core.errors import PipelineError
from pipeline.core.stemming import stemmer, words
from pipeline.drafts.nlp import language_tools
from pipeline.index.backend import backend_for

log = logging.getLogger(__name__)


def _paths(data: str | Path | DataPaths | None) -> DataPaths:
    return data if isinstance(data, DataPaths) else data_paths(data)


def load_segments(data: str | Path | DataPaths | None = None) -> pd.DataFrame:
    """All recordings' data/work/<slug>/segments.parquet in one table (column 'recording' says which)."""
    paths = _paths(data)
    tables = [pd.read_parquet(p) for p in sorted(paths.work.glob("*/segments.parquet"))]
    if not tables:
        raise PipelineError(f"no segments tables in {paths.work}; run the chapters stage ('make all')")
    frame = pd.concat(tables, ignore_index=True)
    if "chapter_index" in frame:  # the artifact's 0-based index stays; people read chapter_number
        frame.insert(list(frame.columns).index("chapter_index") + 1, "chapter_number", frame["chapter_index"] + 1)
    return frame


def load_sentences(data: str | Path | DataPaths | None = None) -> pd.DataFrame:
    """Every row of the search index: recording, title, date, language, chapter_number (from 1), chapter,
    speaker, sentence_id, start, end, text."""
    columns = ["recording", "title", "date", "language", "chapter_number", "chapter", "speaker",
               "sentence_id", "start", "end", "text"]
    rows = backend_for(_paths(data)).rows()
    for row in rows:
        index = row.pop("chapter_index", None)
        row["chapter_number"] = index + 1 if index is not None else None
    frame = pd.DataFrame(rows, columns=columns)
    frame["chapter_number"] = frame["chapter_number"].astype("Int64")
    return frame


def talk_time(sentences: pd.DataFrame) -> pd.DataFrame:
    """Minutes of speech per chapter (rows) and speaker (columns); unknown speakers as '(unknown)'."""
    frame = sentences.assign(minutes=(sentences["end"] - sentences["start"]) / 60.0,
                             speaker=sentences["speaker"].replace("", "(unknown)"),
                             chapter=sentences["chapter_number"].astype("Int64").astype(str) + " " + sentences["chapter"].fillna(""))
    table = frame.pivot_table(index=["recording", "chapter"], columns="speaker", values="minutes",
                              aggfunc="sum", fill_value=0.0)
    return table.round(2)


def distinctive_terms(sentences: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """Per chapter, the `top` words with the highest tf-idf (stems counted, shown as the most said form)."""
    chapters = sentences.groupby(["recording", "chapter_number"], sort=True)
    counts: dict[tuple, Counter] = {}
    shown: dict[str, Counter] = {}
    for key, group in chapters:
        language = group["language"].iloc[0]
        tools, stem = language_tools(language), stemmer(language).stem
        bag = Counter()
        for text in group["text"]:
            for word in words(text):
                if tools.is_content(word) and len(word) > 2:
                    bag[stem(word)] += 1
                    shown.setdefault(stem(word), Counter())[word] += 1
        counts[key] = bag
    document_frequency = Counter(term for bag in counts.values() for term in bag)
    rows = []
    for (recording, chapter_number), bag in counts.items():
        total = sum(bag.values()) or 1
        score = {t: n / total * math.log((1 + len(counts)) / (1 + document_frequency[t])) for t, n in bag.items()}
        best = sorted(score, key=lambda t: (-score[t], t))[:top]
        rows.append({"recording": recording, "chapter_number": chapter_number,
                     "terms": ", ".join(shown[t].most_common(1)[0][0] for t in best)})
    return pd.DataFrame(rows, columns=["recording", "chapter_number", "terms"])


def plot_talk_time(table: pd.DataFrame, title: str = "Talk time per chapter and speaker"):
    """A horizontal stacked bar chart of talk_time(...); returns the matplotlib Axes."""
    axes = table.plot.barh(stacked=True, figsize=(9, 0.45 * len(table) + 1.5))
    axes.set_xlabel("minutes")
    axes.set_ylabel("")
    axes.set_title(title)
    axes.invert_yaxis()
    axes.figure.tight_layout()
    return axes
