"""Operating-system errors told apart from bugs: a full disk (as OSError, or as SQLite's SQLITE_FULL, which
names no file) and how one is said in a message."""

import errno
import os
import re
import sqlite3

OUT_OF_SPACE = (errno.ENOSPC, errno.EDQUOT)


# How Beam's runners pass on a DoFn's OSError: as the text of a RuntimeError, "OSError: [Errno 28] ...".
_ERRNO_TEXT = re.compile(r"\[Errno (\d+)\] ([^\[\]:']+?)(?:: '([^']*)')?(?: \[while running|$)", re.M)


def as_os_error(error: BaseException) -> OSError | None:
    """The operating-system error behind `error`: itself, one it was raised from, SQLite's "database or
    disk is full" as ENOSPC, or the one a Beam runner's RuntimeError quotes; None for anything else."""
    seen = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return seen
        if isinstance(seen, sqlite3.OperationalError) and getattr(seen, "sqlite_errorcode", None) == \
                sqlite3.SQLITE_FULL:
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "a SQLite database (disk full)")
        seen = seen.__cause__ or seen.__context__
    if isinstance(error, RuntimeError) and (quoted := _ERRNO_TEXT.search(str(error))):
        return OSError(int(quoted.group(1)), quoted.group(2).strip(), quoted.group(3))
    return None


def is_out_of_space(error: BaseException) -> bool:
    found = as_os_error(error)
    return found is not None and found.errno in OUT_OF_SPACE


def describe(error: OSError) -> str:
    """`No space left on device (ENOSPC) writing PATH`: the error's words, its name, and its file."""
    name = errno.errorcode.get(error.errno, str(error.errno))
    return f"{error.strerror} ({name})" + (f" writing {error.filename}" if error.filename else "")
