"""The control API, seeded faults, latency, quotas and the ``pushflow emulator`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alibabacloud_push20160801 import models as em
from alibabacloud_push20160801.client import Client as EmasClient
from alibabacloud_tea_openapi.utils_models import Config
from click.testing import CliRunner
from darabonba.exceptions import UnretryableException  # type: ignore[import-untyped]

from pushflow.commands.emulator import emulator_command
from pushflow.emulator import Emulator, EmulatorConfig, FaultSpec, parse_latency

from .conftest import Api, free_port, serving

FROZEN = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
PUSH = {
    "PushType": "NOTICE",
    "DeviceType": "iOS",
    "Target": "DEVICE",
    "TargetValue": "d",
    "Body": "b",
}


def test_health_and_clock_control(api: Api) -> None:
    assert api.control("GET", "health")["status"] == "ok"
    frozen = api.control("POST", "clock", json={"at": "2030-01-01T00:00:00Z", "freeze": True})
    assert (frozen["now"], frozen["frozen"]) == ("2030-01-01T00:00:00+00:00", True)
    moved = api.control("POST", "clock", json={"advance_seconds": 90})
    assert moved["now"] == "2030-01-01T00:01:30+00:00"
    assert api.emulator.clock.now() == datetime(2030, 1, 1, 0, 1, 30, tzinfo=UTC)


def test_calls_are_listed_filtered_and_cleared(api: Api) -> None:
    api.emas("Push", AppKey=1, **PUSH)
    api.emas("Push", AppKey=2, **{**PUSH, "Body": ""})
    api.mpaas("QueryPushAnalysisTaskDetail", TaskId="404")
    calls = api.control("GET", "calls")["calls"]
    assert [(c["action"], c["status"], c["code"]) for c in calls] == [
        ("Push", 200, "OK"), ("Push", 400, "InvalidBody.Empty"),
        ("QueryPushAnalysisTaskDetail", 200, "3028"),
    ]  # fmt: skip
    assert len(api.control("GET", "calls", params={"app": "2"})["calls"]) == 1
    assert len(api.control("GET", "calls", params={"TargetValue": "d"})["calls"]) == 2
    assert "Signature" not in calls[0]["params"]
    assert api.control("DELETE", "calls") == {"cleared": 3}
    assert api.control("GET", "calls")["calls"] == []


def test_templates_added_through_the_control_api(api: Api) -> None:
    added = api.control(
        "POST", "templates", json={"name": "fresh", "title": "#a#", "content": "#b#"}
    )
    assert added["templates"][0]["name"] == "fresh"
    ok = api.mpaas("PushTemplate", TaskName="t", TemplateName="fresh", DeliveryType=3,
                   ExpiredSeconds=60, TargetMsgkey='{"u":"k"}', TemplateKeyValue='{"a":"1","b":"2"}')  # fmt: skip
    assert ok["ResultCode"] == "OK"
    bad = api.request("POST", "/_emulator/templates", json={"name": "x"})
    assert bad.status_code == 400


def _fault_codes(api: Api, seed: int) -> list[int]:
    api.control("POST", "faults", json={"error": 0.3, "throttle": 0.3, "seed": seed})
    return [api.emas("QueryPushStatByMsg", MessageId="1").status_code for _ in range(30)]


def test_faults_are_reproducible_with_a_seed(make_api: Any) -> None:
    first, second = make_api(), make_api()
    codes = _fault_codes(first, seed=7)
    assert codes == _fault_codes(second, seed=7)
    assert set(codes) == {200, 429, 500}
    assert codes != _fault_codes(second, seed=8)
    faulted = first.control("GET", "calls", params={"fault": "throttle"})["calls"]
    assert faulted
    assert {c["code"] for c in faulted} == {"Throttling.User"}


def test_fault_spec_parsing() -> None:
    spec = FaultSpec.parse(
        "error=0.1,throttle=0.2,timeout=0.05,late=0.1,timeout_seconds=3,actions=Push|MassPush"
    )
    assert spec.to_dict() == {"error": 0.1, "throttle": 0.2, "timeout": 0.05, "late": 0.1,
                              "timeout_seconds": 3.0, "actions": ["MassPush", "Push"]}  # fmt: skip
    with pytest.raises(ValueError, match="add up"):
        FaultSpec.parse("timeout=0.5,late=0.6")
    with pytest.raises(ValueError, match="add up"):
        FaultSpec.parse("error=0.8,throttle=0.8")
    assert parse_latency("120±30") == (120.0, 30.0)
    assert parse_latency("5") == (5.0, 0.0)


@pytest.fixture
def timeout_server() -> Iterator[int]:
    faults = FaultSpec(timeout=1.0, timeout_seconds=0.6)
    with serving(EmulatorConfig(faults=faults)) as (port, _):
        yield port


def test_timeout_fault_holds_the_answer_past_the_client_timeout(timeout_server: int) -> None:
    config = Config(access_key_id="pushflow-emulator-key", access_key_secret="pushflow-emulator-secret",
                    endpoint=f"127.0.0.1:{timeout_server}", protocol="http", read_timeout=200)  # fmt: skip
    request = em.QueryPushStatByMsgRequest(app_key=1, message_id="1")
    started = time.monotonic()
    with pytest.raises(UnretryableException):
        EmasClient(config).query_push_stat_by_msg(request)
    assert time.monotonic() - started < 0.6


@pytest.fixture
def late_server() -> Iterator[tuple[int, Emulator]]:
    faults = FaultSpec(late=1.0, timeout_seconds=0.6, actions=frozenset({"Push"}))
    with serving(EmulatorConfig(faults=faults)) as served:
        yield served


def test_late_fault_makes_the_push_and_answers_after_the_client_gave_up(
    late_server: tuple[int, Emulator],
) -> None:
    port, emulator = late_server
    config = Config(access_key_id="pushflow-emulator-key", access_key_secret="pushflow-emulator-secret",
                    endpoint=f"127.0.0.1:{port}", protocol="http", read_timeout=200)  # fmt: skip
    request = em.PushRequest(
        app_key=1, device_type="ANDROID", push_type="NOTICE", target="DEVICE",
        target_value="d1", title="Sale", body="Today only",
    )  # fmt: skip
    started = time.monotonic()
    with pytest.raises(UnretryableException):
        EmasClient(config).push(request)
    assert time.monotonic() - started < 0.6  # the client gave up …
    (message,) = emulator.store.values("emas_message")  # … on a push that was made
    assert (message["target_value"], message["status"]) == ("d1", "SENT")
    (call,) = emulator.calls.filter({"action": "Push"})
    assert (call.code, call.fault, call.result["MessageId"]) == (
        "OK",
        "late",
        message["message_id"],
    )


def test_latency_delays_every_answer(make_api: Any) -> None:
    slow: Api = make_api(latency_ms=150)
    started = time.monotonic()
    slow.emas("QueryPushStatByMsg", MessageId="1")
    assert time.monotonic() - started >= 0.15


def test_push_to_all_quota_seed_sdk_push_request(make_api: Any) -> None:
    """SDK PushRequest.target ALL: same DeviceType ≥ 1 s apart; brief: ≤ 10 notices / 10 min."""
    api: Api = make_api(quotas=True, frozen_at=FROZEN)
    everyone = {**PUSH, "Target": "ALL", "TargetValue": "ALL"}
    assert api.emas("Push", **everyone).status_code == 200
    again = api.emas("Push", **everyone)
    assert (again.status_code, again.json()["Code"]) == (429, "Throttling.User")
    assert int(again.headers["x-acs-retry-after"]) == 1000
    assert (
        api.emas("Push", **{**everyone, "DeviceType": "ANDROID", "Title": "t"}).status_code == 200
    )
    for _ in range(8):
        api.emulator.advance(timedelta(seconds=1))
        assert api.emas("Push", **everyone).status_code == 200
    api.emulator.advance(timedelta(seconds=1))
    eleventh = api.emas("Push", **everyone)
    assert eleventh.status_code == 429
    assert "10 NOTICE" in eleventh.json()["Message"]
    message = api.emas("Push", **{**everyone, "PushType": "MESSAGE"})
    assert message.status_code == 200


def test_query_push_stat_by_msg_rate_quota(make_api: Any) -> None:
    """Brief (EMAS API rates): QueryPushStatByMsg 50 calls/s."""
    api: Api = make_api(quotas=True, frozen_at=FROZEN)
    codes = [api.emas("QueryPushStatByMsg", MessageId="1").status_code for _ in range(51)]
    assert codes == [200] * 50 + [429]
    api.emulator.advance(timedelta(seconds=1))
    assert api.emas("QueryPushStatByMsg", MessageId="1").status_code == 200


def test_without_quotas_nothing_is_throttled(make_api: Any) -> None:
    api: Api = make_api(frozen_at=FROZEN)
    everyone = {**PUSH, "Target": "ALL", "TargetValue": "ALL"}
    assert {api.emas("Push", **everyone).status_code for _ in range(3)} == {200}


def test_cli_rejects_bad_options() -> None:
    runner = CliRunner()
    result = runner.invoke(emulator_command, ["--access-key", "no-colon"])
    assert result.exit_code == 2
    assert "ID:SECRET" in result.output
    result = runner.invoke(emulator_command, ["--latency", "fast"])
    assert result.exit_code == 2
    assert "MS[±JITTER]" in result.output


def test_cli_serves_and_never_prints_the_secret() -> None:
    port = free_port()
    code = "from pushflow.commands.emulator import emulator_command as c; c()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--port", str(port), "--access-key", "ci:top-secret-value"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "CLI emulator did not start"
                time.sleep(0.05)
        assert health.json()["status"] == "ok"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"127.0.0.1:{port}" in output
    assert "ci" in output
    assert "top-secret-value" not in output
    assert json.dumps(health.json())


def test_cli_freezes_what_exists_and_collects_young_objects_less_often() -> None:
    code = (
        "import gc\n"
        "from pushflow.commands.emulator import YOUNG_THRESHOLD, _collect_less\n"
        "assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] < YOUNG_THRESHOLD\n"
        "older = gc.get_threshold()[1:]\n"
        "_collect_less()\n"
        "print(gc.get_freeze_count() > 1000, gc.get_threshold() == (YOUNG_THRESHOLD, *older))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True"]
