"""The pipeline's version, recorded in every artifact and run.json."""
__version__ = "0.1.0"
