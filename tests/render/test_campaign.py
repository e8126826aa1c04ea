"""renderer_for: the example campaigns render, with positions from their YAML files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushflow.audience.sources import read_csv
from pushflow.render import RenderError, renderer_for
from pushflow.render.campaign import texts_of
from pushflow.spec.check import check_project
from pushflow.spec.loader import LoadedCampaign
from tests.conftest import NOW
from tests.render.conftest import OCCURRENCE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def examples() -> dict[str, LoadedCampaign]:
    report = check_project([], project_file=ROOT / "pushflow.yaml", now=NOW)
    return {loaded.campaign.name: loaded for loaded in report.campaigns}


def test_every_example_compiles(examples: dict[str, LoadedCampaign]) -> None:
    per_target = {
        name
        for name, loaded in examples.items()
        if renderer_for(loaded.campaign, loaded.document.locate).is_per_target
    }
    assert per_target == {
        "account-security-check",
        "cart-reminder",
        "order-shipped",
    }


def test_cart_reminder_renders_each_csv_row(examples: dict[str, LoadedCampaign]) -> None:
    loaded = examples["cart-reminder"]
    renderer = renderer_for(loaded.campaign, loaded.document.locate)
    path = ROOT / "campaigns/audiences/cart-abandoners.csv"
    rows = list(read_csv(path, "audiences/cart-abandoners.csv", "user_id"))
    first = rows[0]
    assert not isinstance(first, Exception)
    message = renderer.render(first, OCCURRENCE)
    assert set(message.template_key_value) == {"name", "item", "price"}
    assert message.template_key_value["name"] == first.columns["first_name"]


def test_loop_statement_uses_the_occurrence(examples: dict[str, LoadedCampaign]) -> None:
    loaded = examples["points-statement"]
    renderer = renderer_for(loaded.campaign, loaded.document.locate)
    assert (renderer.is_per_target, renderer.uses_occurrence) == (False, True)
    assert renderer.render(None, OCCURRENCE).body == "Statement for December 1 is ready in the app."


def test_errors_point_at_the_yaml_value(examples: dict[str, LoadedCampaign]) -> None:
    loaded = examples["cart-reminder"]
    values = dict(loaded.campaign.message.values, name="{{ row.nmae }}")  # type: ignore[union-attr]
    message = loaded.campaign.message.model_copy(update={"values": values})
    campaign = loaded.campaign.model_copy(update={"message": message})
    renderer = renderer_for(campaign, loaded.document.locate)
    csv_row = next(read_csv(ROOT / "campaigns/audiences/cart-abandoners.csv", "a.csv", "user_id"))
    assert not isinstance(csv_row, Exception)
    with pytest.raises(RenderError) as caught:
        renderer.render(csv_row, OCCURRENCE)
    location = loaded.document.locate(("message", "values", "name"))
    assert str(caught.value).startswith(f"{location}: error: a.csv row 2: `row.nmae` is undefined")
    assert (location.path, location.line) == ("campaigns/cart-reminder-multiple.yaml", 15)


def test_templated_channel_texts_are_rendered(examples: dict[str, LoadedCampaign]) -> None:
    loaded = examples["flash-sale-notice"]
    channels = loaded.campaign.channels.model_copy(
        update={
            "android": loaded.campaign.channels.android.model_copy(  # type: ignore[union-attr]
                update={"open_url": "https://shop.example.com/{{ target }}"}
            )
        }
    )
    campaign = loaded.campaign.model_copy(update={"channels": channels})
    assert texts_of(campaign)[("channels", "android", "open_url")].endswith("{{ target }}")
    assert renderer_for(campaign, loaded.document.locate).per_target_paths == {
        ("channels", "android", "open_url")
    }
