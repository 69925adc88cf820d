"""Speakers: who said what, offline (the speakers stage, after transcribe).

Modules: `melspec` (the shared 40-band mel front-end), `embed` (the speaker-embedding interface and
the default Resemblyzer encoder), `features` (MFCC + pitch statistics, numpy only), `cluster`
(spectral clustering, eigengap, cluster merge), `smooth` (Viterbi smoothing, the audience pass,
turns from windows), `vad` (speech regions for diarization: Silero at a low threshold), `diarize`
(the whole method: `diarize(audio, regions, ...) -> (turns, info)`), `stereo` (one microphone per
channel: split by channel energy), `naming` (names from the page and the transcript) and `stage`
(the pipeline stage writing speakers.json).
"""
