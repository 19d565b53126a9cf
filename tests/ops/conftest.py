from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

_STATE = (
    "autocommit",
    "in_atomic_block",
    "savepoint_ids",
    "atomic_blocks",
    "needs_rollback",
    "commit_on_exit",
    "savepoint_state",
    "closed_in_transaction",
    "run_on_commit",
)


@contextmanager
def database_unreachable(tmp_path: Path) -> Iterator[None]:
    """The default database really fails to open (SQLite at a path in no folder), then heals."""
    connection = connections["default"]
    settings_dict = connection.settings_dict
    kept_name, kept_connection = settings_dict["NAME"], connection.connection
    # A connection attempt resets the wrapper's transaction state; the test's own transaction
    # must find it as it left it.
    kept_state = {name: getattr(connection, name) for name in _STATE}
    # Keep the test database's open connection aside (an in-memory SQLite would vanish if it
    # were closed), and make the next query open a file that cannot exist.
    connection.connection = None
    settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        settings_dict["NAME"] = kept_name
        connection.connection = kept_connection
        for name, value in kept_state.items():
            setattr(connection, name, value)
