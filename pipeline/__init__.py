"""Lecture pipeline: recordings in, reviewed and searchable publications out.

Stages (one package each): extract -> transcribe -> chapters -> drafts -> index (search/).
"""
from pipeline.core.version import __version__

__all__ = ["__version__", "search"]


def search(query, **filters):
    """Search all transcripts; returns a pandas DataFrame (see pipeline.index.api)."""
    from pipeline.index.api import (
        search_dataframe,  # lazy: `import pipeline` stays cheap
    )

    return search_dataframe(query, **filters)
