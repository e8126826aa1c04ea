"""A command page's usage block is the command's --help, kept current in place."""

from __future__ import annotations

import os

import click
import click.formatting
import pytest
from click.testing import CliRunner

from pushflow.cli import cli
from pushflow.reference.command_pages import END, begin_marker, help_text, update_page


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_the_block_is_what_an_80_column_terminal_shows(name: str) -> None:
    runner = CliRunner()
    with runner.isolation(env={"COLUMNS": "80"}) as (stdout, _, _):
        click.formatting.FORCED_WIDTH = None  # as in a terminal, not click's test default
        with pytest.raises(SystemExit) as done:
            cli.main([name, "--help"], prog_name="pushflow")
        printed = stdout.getvalue().decode()
    assert done.value.code == 0
    assert printed == help_text(cli, name) + "\n"
    assert os.environ.get("COLUMNS") != "80"  # the isolation ended


def test_a_page_without_the_block_gets_it_under_usage() -> None:
    page = "# `pushflow drift`\n\nWhat it does.\n\n## Examples\n\nText.\n"
    assert update_page(page, cli, "drift") == (
        "# `pushflow drift`\n\nWhat it does.\n\n## Usage\n\n"
        f"{begin_marker('drift')}\n\n```text\n{help_text(cli, 'drift')}\n```\n\n{END}\n\n"
        "## Examples\n\nText.\n"
    )


def test_the_block_is_replaced_in_place_and_the_rest_is_kept() -> None:
    page = update_page("# T\n\nIntro.\n\n## Examples\n\nText.\n", cli, "drift")
    stale = page.replace("Compare the services'", "Compare the")
    assert stale != page
    assert update_page(stale, cli, "drift") == page
    assert update_page(page, cli, "drift") == page


def test_a_block_without_its_end_is_refused() -> None:
    with pytest.raises(ValueError, match="has no end marker"):
        update_page(f"# T\n\n{begin_marker('drift')}\n\ntext\n", cli, "drift")


def test_a_page_without_a_second_heading_gets_the_block_at_its_end() -> None:
    text = update_page("# T\n\nIntro.\n", cli, "drift")
    assert text.startswith("# T\n\nIntro.\n\n## Usage\n\n<!-- BEGIN")
    assert text.endswith(f"{END}\n")
    assert isinstance(cli, click.Group)
