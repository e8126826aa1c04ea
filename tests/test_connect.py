"""Choosing between Alibaba Cloud and the embedded sandbox, and sending through the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pushflow.connect import client_timeout, connect, use_sandbox
from pushflow.errors import UsageError
from pushflow.providers.mpaas_models import PushSimpleRequest
from pushflow.spec.project import EmasApp, MpaasApp

MPAAS = MpaasApp(provider="mpaas", app_id="ONEX570DA89211721", workspace_id="default")
EMAS = EmasApp(provider="emas", app_keys={"android": 23267207})
KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIexample01", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cr3t"}


@pytest.mark.parametrize(
    ("app", "env", "sandbox"),
    [
        (MPAAS, {}, True),
        (MPAAS, KEYS, False),
        (MPAAS, {**KEYS, "PUSHFLOW_SANDBOX": "1"}, True),
        (MPAAS.model_copy(update={"endpoint": "http://127.0.0.1:8900"}), {}, False),
        (EMAS, {}, True),
        (EMAS, KEYS, False),
    ],
)
def test_the_sandbox_is_used_when_nothing_else_is_configured(
    app: MpaasApp | EmasApp, env: dict[str, str], sandbox: bool, tmp_path: Path
) -> None:
    assert use_sandbox(app, env, home=tmp_path) is sandbox


def test_real_endpoints_and_banner(tmp_path: Path) -> None:
    mpaas = connect("shop", MPAAS, root=tmp_path, env=KEYS, home=tmp_path)
    emas = connect("shop-emas", EMAS, root=tmp_path, env=KEYS, home=tmp_path)
    assert mpaas.banner == "app shop: https://mpaas.cn-hangzhou.aliyuncs.com/"
    assert emas.banner == "app shop-emas: https://cloudpush.aliyuncs.com/"
    assert "s3cr3t" not in repr(mpaas) + repr(emas)


def test_pushflow_timeout_sets_how_long_a_client_waits(tmp_path: Path) -> None:
    assert client_timeout({}) == httpx.Timeout(10.0, connect=5.0)
    assert client_timeout({"PUSHFLOW_TIMEOUT": "2.5"}) == httpx.Timeout(2.5, connect=2.5)
    assert client_timeout({"PUSHFLOW_TIMEOUT": "60"}) == httpx.Timeout(60.0, connect=5.0)
    emas = connect(
        "shop-emas", EMAS, root=tmp_path, env={**KEYS, "PUSHFLOW_TIMEOUT": "3"}, home=tmp_path
    )
    assert emas.client.timeout == httpx.Timeout(3.0, connect=3.0)
    for wrong in ("soon", "0", "-1"):
        with pytest.raises(UsageError) as caught:
            client_timeout({"PUSHFLOW_TIMEOUT": wrong})
        assert str(caught.value) == (
            f"PUSHFLOW_TIMEOUT={wrong!r}: expected a number of seconds greater than 0"
        )


@pytest.mark.anyio
async def test_a_push_through_the_sandbox_reaches_the_embedded_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    connection = connect("shop", MPAAS, root=tmp_path, env={}, home=tmp_path)
    assert connection.sandbox
    assert connection.banner == (
        "SANDBOX: app shop is served by pushflow's embedded emulator "
        "(state in .pushflow/emulator.db); nothing reaches Alibaba Cloud."
    )
    request = PushSimpleRequest(
        app_id=MPAAS.app_id,
        workspace_id=MPAAS.workspace_id,
        delivery_type=1,
        expired_seconds=300,
        task_name="hello",
        title="Hi",
        content="Hello",
        target_msgkey={"device-1": "key-1"},
    )
    try:
        response = await connection.client.push_simple(request)
        assert connection.emulator is not None
        (call,) = connection.emulator.calls.filter({"action": "PushSimple"})
        assert json.loads(call.params["TargetMsgkey"]) == {"device-1": "key-1"}
        assert response.request_id
    finally:
        await connection.aclose()
    assert (tmp_path / ".pushflow" / "emulator.db").is_file()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
