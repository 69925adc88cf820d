"""Transcription engines. Each turns a 16 kHz WAV into pipeline.artifacts.base.Segment objects.

- faster_whisper: the default (CTranslate2, int8 on CPU)
- openai_whisper: the reference implementation, run offline on the same weights (ct2_convert)
- captions: imports human SRT/WebVTT captions instead of running Whisper
"""
