"""One error family. Every message is a single line a user can act on."""


class PipelineError(Exception):
    """Base of every error the pipeline reports to a user (CLI: one line, exit 1)."""


class ConfigError(PipelineError):
    """Invalid options or settings; the message names the fields."""


class ManifestError(PipelineError):
    """A recording.yaml or page text that cannot be read."""


class MediaError(PipelineError):
    """Missing, empty, corrupt or silent media; the message names the file."""


class ModelError(PipelineError):
    """Whisper weights missing, mismatching or unloadable."""


class ChapterListError(PipelineError):
    """A chapter list that cannot be parsed or is inconsistent (with line numbers)."""


class LockError(PipelineError):
    """Another run holds the recording's lock."""


class StageError(PipelineError):
    """A stage failed; wraps the underlying reason."""


class QueryError(PipelineError):
    """A search query that cannot be run."""


class ReviewError(PipelineError):
    """A review action that cannot be applied (conflict, unknown item)."""
