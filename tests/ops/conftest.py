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
    """The default database really fails to open, then heals: SQLite at a path in no folder,
    PostgreSQL a database that does not exist, reached without the pool (whose connections
    were opened before)."""
    connection = connections["default"]
    settings_dict = connection.settings_dict
    kept_name, kept_connection = settings_dict["NAME"], connection.connection
    kept_options = settings_dict.get("OPTIONS", {})
    # A connection attempt resets the wrapper's transaction state; the test's own transaction
    # must find it as it left it.
    kept_state = {name: getattr(connection, name) for name in _STATE}
    # Keep the test database's open connection aside (an in-memory SQLite would vanish if it
    # were closed), and make the next query open a file that cannot exist.
    connection.connection = None
    if connection.vendor == "postgresql":
        settings_dict["OPTIONS"] = {k: v for k, v in kept_options.items() if k != "pool"}
        settings_dict["NAME"] = "no_such_database_here"
    else:
        settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        settings_dict["NAME"] = kept_name
        settings_dict["OPTIONS"] = kept_options
        connection.connection = kept_connection
        for name, value in kept_state.items():
            setattr(connection, name, value)


def unreachable_reason() -> str:
    """What the database driver says when `database_unreachable` is in force."""
    if connections["default"].vendor == "postgresql":
        return 'database "no_such_database_here" does not exist'
    return "unable to open database file"
