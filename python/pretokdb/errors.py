"""The exceptions of pretokdb.

Every failure of the library is an Error, of the subclass that names its
kind (the library's Status codes); str(e) is the message that the pretok-db
command prints after "pretok-db: error: ", naming what failed (a file, a
database, an argument) and why:

    try:
        pretokdb.open("missing.db")
    except pretokdb.NotFoundError as e:
        print(e)   # missing.db: no pretok-db database here (run 'pretok-db index' first)

InvalidArgumentError is also a ValueError, and InputOutputError an OSError,
so that code catching those builtin exceptions catches them too.
"""


class Error(Exception):
    """Base class of every pretokdb error."""


class NotFoundError(Error):
    """There is no pretok-db database at the path given."""


class InvalidArgumentError(Error, ValueError):
    """An argument the library refuses: a pattern it cannot run as Python's
    `regex` would, a database built with another configuration, a directory
    that is not a pretok-db database, a file that changed other than by
    appending, a vocabulary too small for its special tokens..."""


class InputOutputError(Error, OSError):
    """Reading or writing failed: an input file missing or unreadable, a full
    disk. What was committed stays; the same call resumes once the cause is
    fixed."""


class CorruptionError(Error):
    """The database is damaged (a checksum does not match, a record cannot
    be read)."""


class BusyError(Error):
    """Another index run (in this process or another) is writing the
    database."""


class AbortedError(Error):
    """The work was stopped on request before it ended. (Ctrl-C raises
    KeyboardInterrupt instead.)"""


class NotCountedWarning(UserWarning):
    """Text that an index run skipped and did not count: a stretch with no
    possible cut longer than 1 MiB (in practice one enormous pretoken), or,
    with a pattern of your own, a document longer than 64 MiB. The message
    names the file and byte offset; stats() counts them too."""
