"""Lecture pipeline: recordings in, reviewed and searchable publications out.

Stages (one module each): extract -> transcribe -> chapters -> drafts -> index.
"""
__version__ = "0.1.0"


def search(query, **filters):
    """Search all transcripts; returns a pandas DataFrame (see pipeline.searching)."""
    from pipeline.searching import search_dataframe

    return search_dataframe(query, **filters)
