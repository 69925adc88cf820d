"""Convert the bundled CTranslate2 Whisper model into an openai-whisper checkpoint (same weights).

model.bin layout: uint32 version, name, uint32 revision, uint32 count, then per variable: name,
uint8 rank, uint32 shape[rank], uint8 dtype (0 f32, 1 i8, 2 i16, 3 i32, 4 f16), uint32 nbytes, bytes.
Self-attention linear_0 is fused q,k,v; cross-attention linear_0 is q and linear_1 fused k,v;
openai's key projections have no bias; alignment heads come from config.json.
"""
from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from pipeline.core import fsutil
from pipeline.core.errors import ModelError

log = logging.getLogger(__name__)
DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def _string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("<H", fh.read(2))
    return fh.read(length).decode("utf-8").rstrip("\x00")


def read_ct2_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 model.bin as numpy arrays."""
    variables: dict[str, np.ndarray] = {}
    with open(model_bin, "rb") as fh:
        version, = struct.unpack("<I", fh.read(4))
        if version < 5:
            raise ModelError(f"{model_bin}: CTranslate2 model version {version} is too old to convert")
        _string(fh)
        fh.read(4)  # revision
        (count,) = struct.unpack("<I", fh.read(4))
        for _ in range(count):
            name = _string(fh)
            rank = fh.read(1)[0]
            shape = struct.unpack(f"<{rank}I", fh.read(4 * rank)) if rank else ()
            dtype_id = fh.read(1)[0]
            (nbytes,) = struct.unpack("<I", fh.read(4))
            if dtype_id not in DTYPES:
                raise ModelError(f"{model_bin}: unknown dtype {dtype_id} for {name}")
            data = np.frombuffer(fh.read(nbytes), dtype=DTYPES[dtype_id])
            variables[name] = data.reshape(shape) if shape else data
    return variables


def _attention(v: dict, src: str, dst: str, fused_qkv: bool) -> dict[str, np.ndarray]:
    out = {}
    if fused_qkv:
        w, b = np.split(v[f"{src}/linear_0/weight"], 3), np.split(v[f"{src}/linear_0/bias"], 3)
        out_proj = f"{src}/linear_1"
    else:
        kv_w, kv_b = np.split(v[f"{src}/linear_1/weight"], 2), np.split(v[f"{src}/linear_1/bias"], 2)
        w = [v[f"{src}/linear_0/weight"], *kv_w]
        b = [v[f"{src}/linear_0/bias"], *kv_b]
        out_proj = f"{src}/linear_2"
    for i, part in enumerate(("query", "key", "value")):
        out[f"{dst}.{part}.weight"] = w[i]
        if part != "key":
            out[f"{dst}.{part}.bias"] = b[i]
    out[f"{dst}.out.weight"] = v[f"{out_proj}/weight"]
    out[f"{dst}.out.bias"] = v[f"{out_proj}/bias"]
    out[f"{dst}_ln.weight"] = v[f"{src}/layer_norm/gamma"]
    out[f"{dst}_ln.bias"] = v[f"{src}/layer_norm/beta"]
    return out


def _block(v: dict, src: str, dst: str, cross: bool) -> dict[str, np.ndarray]:
    out = _attention(v, f"{src}/self_attention", f"{dst}.attn", fused_qkv=True)
    if cross:
        out.update(_attention(v, f"{src}/attention", f"{dst}.cross_attn", fused_qkv=False))
    out[f"{dst}.mlp.0.weight"] = v[f"{src}/ffn/linear_0/weight"]
    out[f"{dst}.mlp.0.bias"] = v[f"{src}/ffn/linear_0/bias"]
    out[f"{dst}.mlp.2.weight"] = v[f"{src}/ffn/linear_1/weight"]
    out[f"{dst}.mlp.2.bias"] = v[f"{src}/ffn/linear_1/bias"]
    out[f"{dst}.mlp_ln.weight"] = v[f"{src}/ffn/layer_norm/gamma"]
    out[f"{dst}.mlp_ln.bias"] = v[f"{src}/ffn/layer_norm/beta"]
    return out


def _layers(v: dict, side: str) -> int:
    return len({k.split("/")[1] for k in v if k.startswith(f"{side}/layer_") and k.split("/")[1] != "layer_norm"})


def to_openai_state(v: dict[str, np.ndarray]) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """(dims, state dict) for whisper.model.Whisper from CTranslate2 variables."""
    n_audio, n_text = _layers(v, "encoder"), _layers(v, "decoder")
    vocab, state_width = v["decoder/embeddings/weight"].shape
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]), "n_vocab": int(vocab),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(state_width), "n_audio_head": int(v["encoder/num_heads"][0]),
        "n_audio_layer": n_audio,
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(state_width), "n_text_head": int(v["decoder/num_heads"][0]),
        "n_text_layer": n_text,
    }
    sd = {"encoder.positional_embedding": v["encoder/position_encodings/encodings"],
          "decoder.positional_embedding": v["decoder/position_encodings/encodings"],
          "decoder.token_embedding.weight": v["decoder/embeddings/weight"],
          "encoder.ln_post.weight": v["encoder/layer_norm/gamma"], "encoder.ln_post.bias": v["encoder/layer_norm/beta"],
          "decoder.ln.weight": v["decoder/layer_norm/gamma"], "decoder.ln.bias": v["decoder/layer_norm/beta"]}
    for conv in ("conv1", "conv2"):
        sd[f"encoder.{conv}.weight"] = v[f"encoder/{conv}/weight"]
        sd[f"encoder.{conv}.bias"] = v[f"encoder/{conv}/bias"]
    for i in range(n_audio):
        sd.update(_block(v, f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False))
    for i in range(n_text):
        sd.update(_block(v, f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True))
    return dims, sd


def convert(ct2_dir: Path, checkpoint: Path) -> Path:
    """Write an openai-whisper checkpoint ({'dims', 'model_state_dict', 'alignment_heads'}) atomically."""
    import torch

    dims, sd = to_openai_state(read_ct2_variables(ct2_dir / "model.bin"))
    config = json.loads((ct2_dir / "config.json").read_text(encoding="utf-8"))
    tensors = {k: torch.from_numpy(np.array(a, dtype=np.float16)) for k, a in sd.items()}
    payload = {"dims": dims, "model_state_dict": tensors, "alignment_heads": config.get("alignment_heads", [])}
    with fsutil.atomic_path(checkpoint, suffix=".pt") as tmp:
        torch.save(payload, tmp)
    log.info("converted %s -> %s", ct2_dir, checkpoint)
    return checkpoint


def load_openai_model(checkpoint: Path, device: str = "cpu"):
    """Load a converted checkpoint into whisper.model.Whisper with its alignment heads set."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    payload = torch.load(checkpoint, map_location=device, weights_only=False)
    model = Whisper(ModelDimensions(**payload["dims"]))
    model.load_state_dict(payload["model_state_dict"])
    heads = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
    for layer, head in payload["alignment_heads"]:
        heads[layer, head] = True
    model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
    return model.to(device)
