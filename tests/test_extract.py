"""Extract: many containers -> 16 kHz mono WAV; bad media -> one clear error, no partial artifact."""
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from conftest import TESTDATA, ffmpeg, make_tone, make_video_without_audio

from pipeline.core.errors import MediaError
from pipeline.extract.stage import extract_audio, probe

FORMATS = [
    ("tone.mp4", ("-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=2", "-pix_fmt", "yuv420p", "-shortest")),
    ("tone.mkv", ()), ("tone.webm", ("-c:a", "libopus")), ("tone.mov", ()), ("tone.mp3", ()),
    ("tone.m4a", ()), ("tone.wav", ()), ("tone.flac", ()), ("tone.ogg", ("-c:a", "libopus")),
    ("tone.opus", ()),
]


@pytest.mark.parametrize("name,extra", FORMATS, ids=[f[0] for f in FORMATS])
def test_every_common_format_becomes_16k_mono_wav(tmp_path, name, extra):
    src = make_tone(tmp_path / name, 2.0, extra)
    info = extract_audio(src, tmp_path / "audio.wav")
    with wave.open(str(tmp_path / "audio.wav")) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert abs(wav.getnframes() / 16000 - 2.0) < 0.1
    assert abs(info.duration - 2.0) < 0.1 and len(info.source_sha256) == 64
    assert info.audio_streams and info.video_streams == (1 if name == "tone.mp4" else 0)


def test_real_stereo_flac_is_downmixed(tmp_path):
    info = extract_audio(TESTDATA / "en_jfk_inaugural_excerpt" / "jfk.flac", tmp_path / "a.wav")
    assert info.audio_streams[0].channels == 2 and info.audio_streams[0].sample_rate == 44100
    assert abs(info.duration - 11.0) < 0.05


def _bad_inputs(tmp_path):
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.mp3"
    good = make_tone(tmp_path / "good.mp3", 2.0).read_bytes()
    truncated.write_bytes(good[:200])
    return {
        "missing": (tmp_path / "missing.wav", "not found"),
        "empty": (empty, "empty"),
        "corrupt": (corrupt, "not readable media|could not decode"),
        "no audio": (make_video_without_audio(tmp_path / "silent.mp4"), "no audio stream"),
        "truncated": (truncated, "not readable|could not decode|no samples"),
    }


def test_bad_media_gives_one_clear_error_and_no_artifact(tmp_path):
    out = tmp_path / "out" / "audio.wav"
    for label, (path, message) in _bad_inputs(tmp_path).items():
        with pytest.raises(MediaError, match=message) as err:
            extract_audio(path, out)
        assert str(path) in str(err.value) and "\n" not in str(err.value), label
        assert not out.exists(), label
        assert not list(out.parent.glob(".audio.wav*")) if out.parent.exists() else True


def test_failed_extract_keeps_previous_artifact(tmp_path):
    out = tmp_path / "audio.wav"
    extract_audio(make_tone(tmp_path / "ok.wav", 1.0), out)
    before = out.read_bytes()
    with pytest.raises(MediaError):
        extract_audio(make_video_without_audio(tmp_path / "v.mp4"), out)
    assert out.read_bytes() == before


def test_probe_reports_streams(tmp_path):
    src = tmp_path / "av.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=1", "-f", "lavfi", "-i",
           "sine=duration=1", "-shortest", str(src))
    info = probe(src)
    assert info.video_streams == 1 and len(info.audio_streams) == 1 and info.duration > 0.5


SAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "sample" / "open-college-demo.ogg"


def _damaged_in_the_middle(tmp_path: Path) -> Path:
    """The demo Ogg (119 s of real speech) with a third of its bytes zeroed: ffmpeg exits 0 on it."""
    data = bytearray(SAMPLE.read_bytes())
    n = len(data)
    data[n // 5: n // 5 + n // 3] = bytes(n // 3)
    path = tmp_path / "damaged.ogg"
    path.write_bytes(bytes(data))
    return path


def _truncated_mp4(tmp_path: Path) -> Path:
    """A 40 s MP4 (index first, as web video is) cut in half, as a broken download leaves it."""
    full = tmp_path / "full.mp4"
    ffmpeg("-i", str(SAMPLE), "-t", "40", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=40",
           "-map", "1:v", "-map", "0:a", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", "-movflags", "+faststart",
           str(full))
    data = full.read_bytes()
    cut = tmp_path / "truncated.mp4"
    cut.write_bytes(data[: len(data) // 2])
    return cut


@pytest.mark.parametrize("make,decoded_below", [(_damaged_in_the_middle, 60), (_truncated_mp4, 25)],
                         ids=["ogg-zeroed-middle", "mp4-truncated"])
def test_damaged_media_is_refused_with_what_decoded(tmp_path, make, decoded_below):
    src = make(tmp_path)
    out = tmp_path / "out" / "audio.wav"
    with pytest.raises(MediaError, match=r"damaged media: decoded \d+\.\d s of \d+\.\d s") as err:
        extract_audio(src, out)
    message = str(err.value)
    assert "\n" not in message and "--accept-damaged" in message and "@ 0x" not in message
    assert float(message.split("decoded ")[1].split(" s")[0]) < decoded_below
    assert not out.exists()


def test_accept_damaged_keeps_what_decodes_and_records_the_damage(tmp_path):
    info = extract_audio(_damaged_in_the_middle(tmp_path), tmp_path / "audio.wav", accept_damaged=True)
    assert (tmp_path / "audio.wav").is_file()
    assert info.duration < 60 and abs(info.stated_duration - 119.2) < 0.5
    assert info.damage.startswith("decoded ") and "CRC" in info.damage


def test_sound_media_reports_no_damage(tmp_path):
    info = extract_audio(SAMPLE, tmp_path / "audio.wav")
    assert info.damage == "" and abs(info.duration - info.stated_duration) < 1.0


def test_cli_refuses_damaged_media_in_one_line_then_keeps_it_on_request(tmp_path):
    """Through the command line, as the media team meets it: exit 1 and one error line, no audio;
    `pipeline add SLUG --accept-damaged` then keeps what decodes and status warns about it."""
    damaged = _damaged_in_the_middle(tmp_path)
    data = tmp_path / "data"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "pipeline", "--data", str(data), *args],
                              capture_output=True, text=True)

    assert cli("add", "broken", "--media", str(damaged)).returncode == 0
    run = cli("run", "broken", "--stages", "extract")
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "damaged media: decoded" in errors[0] and "Traceback" not in run.stderr
    assert not (data / "work" / "broken" / "audio.wav").exists()
    assert cli("add", "broken", "--accept-damaged").returncode == 0
    assert cli("run", "broken", "--stages", "extract").returncode == 0
    status = cli("status").stdout
    assert "damaged media kept: decoded" in status


def _processes_under(folder: Path) -> list[int]:
    """Live processes (not zombies) whose command line names `folder`: ffmpeg writing into it."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # ended while we looked
            continue
        if str(folder) in cmdline and "ffmpeg" in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_five_kills_during_extract_leave_no_orphan_ffmpeg_and_no_leaked_wav(tmp_path):
    """kill -9 of `pipeline run` while ffmpeg decodes (30 min of MP3, about a second to decode): ffmpeg
    dies with it at once, and the next run sweeps the temporary WAVs the kills left."""
    from pipeline.core.config import DataPaths
    from pipeline.ingest.add import add_recording

    media = make_tone(tmp_path / "long.mp3", 1800.0, ("-ar", "8000", "-b:a", "16k"))
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    add_recording(paths, "lang", media, language="nl")
    work = paths.work_dir("lang")
    command = [sys.executable, "-m", "pipeline", "--data", str(paths.root), "run", "--stages", "extract"]
    for kill in range(5):
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert _wait_for(lambda: _processes_under(work), 60), f"kill {kill}: ffmpeg never started"
        time.sleep(0.2)  # mid-write
        assert run.poll() is None, f"kill {kill}: extract finished before the kill"
        run.send_signal(signal.SIGKILL)
        run.wait()
        # Without the fix ffmpeg, reparented, goes on writing for about a second.
        assert _wait_for(lambda: not _processes_under(work), 0.3), f"kill {kill}: orphan ffmpeg"
    leaked = [p for p in work.iterdir() if p.name.startswith(".audio.wav.")]
    assert leaked and not (work / "audio.wav").exists()  # the kills did leave partial WAVs behind
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == [".lock", "audio.wav", "media.json", "run.json"]
    assert not _processes_under(work)
