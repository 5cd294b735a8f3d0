"""Alembic migrations shipped inside the package and run in code (no alembic.ini).

`HEAD` names the newest revision so that a start-up schema check can compare it with
the database's `alembic_version` without importing Alembic; a test keeps it in step.
"""

from __future__ import annotations

from typing import Any

HEAD = "0001"


def alembic_config() -> Any:
    """An Alembic Config pointing at this package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "ledger:migrations")
    return config
