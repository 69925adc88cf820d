"""The bundled base model: assembled once, sha256-verified, mismatches refused; openai conversion."""
import numpy as np
import pytest

from pipeline.core.errors import ModelError
from pipeline.transcribe import models
from pipeline.transcribe.engines.ct2_convert import read_ct2_variables, to_openai_state


def test_assembled_model_is_verified_and_reused(tmp_path):
    folder = models.assemble_base_model(tmp_path)
    assert (folder / "model.bin").stat().st_size == models.BASE_MODEL_BYTES
    models.verify_sha256(folder / "model.bin", models.BASE_MODEL_SHA256, "model.bin")
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert models.assemble_base_model(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime


def test_mismatching_file_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"not whisper")
    with pytest.raises(ModelError, match="expected d01c3014"):
        models.verify_sha256(bad, models.BASE_MODEL_SHA256, "model.bin")


def test_local_folder_without_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no model.bin"):
        models.resolve_model(str(tmp_path))


def test_conversion_splits_fused_projections_and_drops_key_bias():
    variables = read_ct2_variables(models.assemble_base_model() / "model.bin")
    dims, state = to_openai_state(variables)
    assert dims == {"n_mels": 80, "n_vocab": 51865, "n_audio_ctx": 1500, "n_audio_state": 512,
                    "n_audio_head": 8, "n_audio_layer": 6, "n_text_ctx": 448, "n_text_state": 512,
                    "n_text_head": 8, "n_text_layer": 6}
    fused = variables["decoder/layer_0/self_attention/linear_0/weight"]
    assert np.array_equal(state["decoder.blocks.0.attn.key.weight"], fused[512:1024])
    assert "decoder.blocks.0.attn.key.bias" not in state and "decoder.blocks.0.cross_attn.key.bias" not in state
    assert state["decoder.blocks.5.cross_attn.value.weight"].shape == (512, 512)
