"""`--help` everywhere stays light: no database stack, no plotting, no HTML parsing."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "matplotlib", "trafilatura", "psycopg")

PROBE = r"""
import json, sys
from ledger.cli import cli
paths = json.loads(sys.argv[1])
for path in paths:
    try:
        cli.main([*path, "--help"], standalone_mode=False, prog_name="ledger")
    except SystemExit:
        pass
print("\nLOADED=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _command_paths() -> list[list[str]]:
    import click

    from ledger.cli import cli

    paths: list[list[str]] = [[]]
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        paths.append([name])
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.list_commands(ctx))
    return paths


def test_every_help_avoids_heavy_imports() -> None:
    paths = _command_paths()
    assert len(paths) > 12
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(paths)],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.rsplit("LOADED=", 1)[1])
    assert not set(HEAVY) & set(loaded), set(HEAVY) & set(loaded)
    assert done.stdout.count("Usage: ledger") == len(paths)


def test_every_command_help_has_examples() -> None:
    from click.testing import CliRunner

    from ledger.cli import cli

    runner = CliRunner()
    for path in _command_paths():
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output and "ledger " in result.output.split("Example")[1], path


def test_version() -> None:
    done = subprocess.run([sys.executable, "-m", "ledger", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.startswith("ledger, version ")


def test_top_level_help_lists_commands_without_importing_them() -> None:
    code = ("import sys\nfrom ledger.cli import cli\n"
            "try:\n    cli.main(['--help'], standalone_mode=False, prog_name='ledger')\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED=' + ' '.join(m for m in sys.modules if m.startswith('ledger.cli.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    listing, loaded = done.stdout.rsplit("LOADED=", 1)
    assert loaded.split() == ["ledger.cli.common"]
    assert "  review          The weekly review: due, overdue, undated, resolved and..." in listing


def test_each_summary_is_its_commands_own_short_help() -> None:
    import click

    from ledger.cli import COMMANDS, SUMMARIES, cli

    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(cli)
    for name in COMMANDS:
        real = cli.get_command(ctx, name)
        stand_in = click.Command(name, help=SUMMARIES[name])
        for limit in (20, 45, 74, 200):
            assert stand_in.get_short_help_str(limit) == real.get_short_help_str(limit), (name, limit)
