"""Helpers of the Python module's tests: the corpus files, the Python
reference, and reading the CLI's answers. (Fixtures are in conftest.py.)

The reference is the result contract's own program,
tests/e2e/reference_count.py (Python `regex`), imported by path.
"""

import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA_FILES = sorted((ROOT / "data").glob("*.txt"))
SAMPLES_DIR = ROOT / "tools" / "corpus" / "samples"
# data/ and the corpus samples (text, and adversarial bytes) when the
# checkout has them.
SAMPLE_FILES = sorted(p for p in SAMPLES_DIR.glob("*") if p.is_file() and p.suffix != ".md") \
    if SAMPLES_DIR.is_dir() else []
CORPUS_FILES = DATA_FILES + SAMPLE_FILES
ENDOFTEXT = "<|endoftext|>"
# max_memory_gb for a limit of 64 KiB with one process: thousands of spills.
TINY_MEMORY_GB = 64 / (1 << 20)


def load_by_path(name, path):
    """Imports the Python file at path as module `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference_count = load_by_path("reference_count", ROOT / "tests" / "e2e" / "reference_count.py")

_reference_cache = {}


def reference(path, special_tokens=(ENDOFTEXT,), pattern="gpt2"):
    """{bytes: count} of the Python reference for one file (cached)."""
    key = (str(path), tuple(special_tokens), pattern)
    if key not in _reference_cache:
        result = reference_count.count_file(str(path), tuple(special_tokens), pattern=pattern)
        _reference_cache[key] = dict(result.counts)
    return _reference_cache[key]


def reference_jsonl(path, field, special_tokens=(ENDOFTEXT,)):
    """The Python reference's result (counts, documents, bad_records) for a
    JSON Lines file counted at field."""
    return reference_count.count_jsonl_bytes(pathlib.Path(path).read_bytes(), field,
                                             tuple(special_tokens))


def cli_error(done):
    """The message of a failed pretok-db command: its stderr line without
    the "pretok-db: error: " prefix."""
    assert done.returncode == 1, done
    line = done.stderr.decode("utf-8", errors="replace").strip()
    prefix = "pretok-db: error: "
    assert line.startswith(prefix), line
    return line[len(prefix):]


def cli_stats(cli, db):
    """`pretok-db stats --db db --json`, parsed."""
    return json.loads(cli("stats", "--db", db, "--json").stdout)
