"""Fixtures of the Python module's tests (pytest, Debian's python3).

ctest runs them with PYTHONPATH set to the build's package directory and
PRETOKDB_CLI to the pretok-db binary (python/CMakeLists.txt); by hand:

    PYTHONPATH=build/python/site PRETOKDB_CLI=build/pretok-db \\
        /usr/bin/python3 -m pytest -q tests/python
"""

import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli():
    """A function that runs the pretok-db binary (PRETOKDB_CLI) and returns
    its CompletedProcess; tests that use it are skipped without it."""
    binary = os.environ.get("PRETOKDB_CLI")
    if not binary or not os.access(binary, os.X_OK):
        pytest.skip("PRETOKDB_CLI does not name the pretok-db binary")

    def run(*args, check=True):
        argv = [binary, *map(os.fsdecode, args)]
        done = subprocess.run(argv, capture_output=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError("%s: exit %d: %s" % (" ".join(argv), done.returncode,
                                                      done.stderr.decode(errors="replace")))
        return done

    return run
