"""Library errors as pretokdb.Error subclasses, with the CLI's messages."""

import threading
import time

import pytest

import pretokdb
from testlib import DATA_FILES, ENDOFTEXT, cli_error


def test_hierarchy():
    for cls in (pretokdb.NotFoundError, pretokdb.InvalidArgumentError, pretokdb.InputOutputError,
                pretokdb.CorruptionError, pretokdb.BusyError, pretokdb.AbortedError):
        assert issubclass(cls, pretokdb.Error) and cls.__doc__
    assert issubclass(pretokdb.InvalidArgumentError, ValueError)
    assert issubclass(pretokdb.InputOutputError, OSError)


def test_missing_database(tmp_path, cli):
    db = tmp_path / "missing.db"
    with pytest.raises(pretokdb.NotFoundError) as e:
        pretokdb.open(db)
    assert str(e.value) == cli_error(cli("stats", "--db", db, check=False))


def test_directory_that_is_not_a_database(tmp_path, cli):
    db = tmp_path / "not-a-db"
    db.mkdir()
    (db / "notes.txt").write_text("hello")
    with pytest.raises(pretokdb.InvalidArgumentError) as e:
        pretokdb.open(db)
    assert str(e.value) == cli_error(cli("stats", "--db", db, check=False))
    # Indexing into it is refused too, with the CLI's message.
    with pytest.raises(pretokdb.InvalidArgumentError) as e:
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], db_path=db)
    assert str(e.value) == cli_error(cli("index", "--db", db, "--quiet", DATA_FILES[0], check=False))


@pytest.mark.parametrize("regex", ["(?=x)a", "(a", r"\w+", "a*"])
def test_bad_regex(tmp_path, cli, regex):
    with pytest.raises(pretokdb.InvalidArgumentError) as e:
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], regex=regex, db_path=tmp_path / "a")
    done = cli("index", "--db", tmp_path / "a", "--quiet", "--regex", regex, DATA_FILES[0],
               check=False)
    assert str(e.value) == cli_error(done)
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize("pattern", ["ok", "ok|bad", r"\p{L}+", "gpt"])
def test_pattern_takes_names_only(tmp_path, pattern):
    # A name is never guessed from a regex: pattern= is for built-in names.
    with pytest.raises(pretokdb.InvalidArgumentError, match="regex="):
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], pattern=pattern, db_path=tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_pattern_and_regex_exclude_each_other(tmp_path):
    with pytest.raises(pretokdb.InvalidArgumentError, match="give one"):
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], pattern="cl100k", regex="ok",
                             db_path=tmp_path / "a")
    with pytest.raises(pretokdb.InvalidArgumentError, match="pattern"):
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], regex="o200k", db_path=tmp_path / "a")
    with pytest.raises(TypeError):
        pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], regex=b"ok")
    with pytest.raises(TypeError):
        pretokdb.train_bpe(DATA_FILES[0], 300, [ENDOFTEXT], regex=1)
    assert not (tmp_path / "a").exists()


def test_missing_input_file(tmp_path, cli):
    path = tmp_path / "missing.txt"
    with pytest.raises(pretokdb.InputOutputError) as e:
        pretokdb.pretokenize(path, [ENDOFTEXT], db_path=tmp_path / "db")
    assert isinstance(e.value, OSError)
    assert str(e.value) == cli_error(cli("index", "--db", tmp_path / "db", path, check=False))


def test_another_configuration(tmp_path, cli):
    db = tmp_path / "db"
    pretokdb.pretokenize(DATA_FILES[0], [ENDOFTEXT], db_path=db)
    with pytest.raises(pretokdb.InvalidArgumentError) as e:
        pretokdb.pretokenize(DATA_FILES[1], ["<|other|>"], db_path=db)
    done = cli("index", "--db", db, "--quiet", "--special-token", "<|other|>", DATA_FILES[1],
               check=False)
    assert str(e.value) == cli_error(done)


def test_busy_while_another_run_writes(tmp_path):
    path = tmp_path / "input.txt"
    path.write_bytes(b"".join(f.read_bytes() for f in DATA_FILES) * 3)
    db = tmp_path / "db"
    errors = []

    def run():
        try:
            pretokdb.pretokenize(path, [ENDOFTEXT], 1, 1 / 1024, db_path=db)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    first = threading.Thread(target=run)
    first.start()
    try:
        # Once the first run has committed its plan it holds the lock until
        # it ends (over half a second: 1 MiB of memory makes it spill often).
        while first.is_alive() and not _has_committed(db, path):
            time.sleep(0.01)
        assert first.is_alive(), "the first run ended too soon"
        with pytest.raises(pretokdb.BusyError) as e:
            pretokdb.pretokenize(DATA_FILES[1], [ENDOFTEXT], db_path=db)
        assert str(e.value) == str(db) + ": database is in use by another pretok-db index run"
    finally:
        first.join()
    assert not errors


def _has_committed(db, path):
    try:
        with pretokdb.open(db) as reader:
            return any(f["path"] == str(path) for f in reader.stats()["files"])
    except (pretokdb.NotFoundError, pretokdb.InvalidArgumentError):
        return False
