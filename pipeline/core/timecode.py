"""Time codes, one implementation: page times ('HH:MM:SS') and subtitle timestamps."""
from __future__ import annotations


def parse_hms(text: str) -> float:
    """'HH:MM:SS', 'H:MM:SS', 'MM:SS' (optionally with .fff) or plain seconds -> seconds."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(p.strip() == "" for p in parts):
        raise ValueError(f"not a time: {text!r}")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if len(parts) > 1 and any(float(p) >= 60 for p in parts[1:]):
        raise ValueError(f"minutes/seconds over 59 in {text!r}")
    return seconds


def format_hms(seconds: float) -> str:
    """Seconds -> 'HH:MM:SS' (rounded down to whole seconds, as pages list them)."""
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def format_clock(seconds: float | None) -> str:
    """Seconds -> 'M:SS' or 'H:MM:SS' for display ('' for no time)."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    h, m, s = total // 3600, total % 3600 // 60, total % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_timestamp(seconds: float, decimal: str = ",", always_hours: bool = True) -> str:
    """12.5 -> '00:00:12,500' (SRT) or '00:00:12.500' (VTT)."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    head = f"{hours:02d}:" if always_hours or hours else ""
    return f"{head}{minutes:02d}:{secs:02d}{decimal}{ms:03d}"
