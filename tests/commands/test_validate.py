"""``pushflow validate`` end to end: exit codes, formats, and a table of broken inputs, each
with its message at its line and column."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time

from pushflow.cli import main
from tests.conftest import NOW, MakeProject

EMAS = """\
name: flash
provider: emas
app: shop-emas
message:
  kind: notice
  title: Hi
  body: Hello
audience:
  kind: device
  device_type: android
  source:
    inline: [0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]
"""

MPAAS = """\
name: digest
provider: mpaas
app: shop-mpaas
message:
  kind: template
  template: digest
  values: {count: "3"}
audience:
  kind: user
  source:
    inline: [u1]
"""


def run(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the real entry point (error handler included) and return (exit code, out, err)."""
    old, sys.argv = Path.cwd(), ["pushflow", *args]
    os.chdir(cwd)
    try:
        with freeze_time(NOW), pytest.raises(SystemExit) as caught:
            main()
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    code = caught.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_valid_project_exits_0(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/a.yaml": EMAS, "campaigns/b.yaml": MPAAS})
    code, out, _ = run(["validate"], root, capsys)
    assert (code, out) == (0, "ok: 2 campaigns valid\n")


# (campaign text, expected line of output) — each a whole message at its line:col.
BROKEN = [
    pytest.param(
        "name: [x\n",
        "campaigns/c.yaml:2:1: error: invalid YAML: while parsing a flow sequence",
        id="yaml-syntax",
    ),
    pytest.param(
        EMAS + "name: again\n",
        "campaigns/c.yaml:13:1: error: duplicate key 'name' (first defined at line 1) [yaml-duplicate-key]",
        id="duplicate-key",
    ),
    pytest.param(
        EMAS.replace("  title: Hi", "  titel: Hi"),
        "campaigns/c.yaml:6:3: error: message.titel: unknown key; did you mean `title`? [schema-unknown-key]",
        id="unknown-field",
    ),
    pytest.param(
        EMAS + "epoch: soon\n",
        "campaigns/c.yaml:13:8: error: epoch: Input should be a valid integer, unable to parse string as an integer [schema]",
        id="wrong-type",
    ),
    pytest.param(
        EMAS.replace("  body: Hello\n", ""),
        "campaigns/c.yaml:5:3: error: message: missing required key `body` [schema-missing]",
        id="missing-field",
    ),
    pytest.param(
        EMAS.replace("provider: emas", "provider: fcm"),
        "campaigns/c.yaml:1:1: error: (document): Input tag 'fcm' found using 'provider' does not match any of the expected tags: 'mpaas', 'emas' [schema]",
        id="unknown-provider",
    ),
    pytest.param(
        EMAS + "channels:\n  ios: {badge: 3, badge_auto_increment: true}\n",
        "campaigns/c.yaml:14:",
        id="ios-badge-exclusive",
    ),
    pytest.param(
        EMAS + "strategy:\n  at: 2026-12-20T08:00:00+08:00\n  execute: server\n",
        "campaigns/c.yaml:14:7: error: a server-side EMAS push (PushTime) is at most 7 days ahead; 2026-12-20 08:00:00+08:00 is further. Use `execute: local` [emas-push-time-7-days]",
        id="push-time-7-days",
    ),
    pytest.param(
        EMAS.replace("  body: Hello\n", "  body: Hello\n  expire: 73h\n"),
        "campaigns/c.yaml:8:11: error: expire is 3d1h; EMAS keeps offline pushes between 3s and 3d [emas-expire-range]",
        id="expire-72h",
    ),
    pytest.param(
        EMAS + "strategy:\n  every: day\n  at: '08:00'\n  from: 2026-12-10\n  until: 2026-12-01\n",
        "campaigns/c.yaml:17:10: error: until 2026-12-01 is before from 2026-12-10 [loop-end-before-start]",
        id="loop-end-before-start",
    ),
    pytest.param(
        MPAAS + "strategy:\n  every: day\n  at: '08:00'\n  from: 2026-12-01\n  until: 2027-06-01\n",
        "campaigns/c.yaml:16:10: error: until 2027-06-01 is more than 180 days after today (2026-11-22); mPaaS loop tasks end by 2027-05-21. Use `execute: local` for longer loops [mpaas-loop-180-days]",
        id="loop-180-days",
    ),
    pytest.param(
        EMAS + "strategy:\n  every: week\n  at: '08:00'\n  from: 2026-12-01\n",
        "campaigns/c.yaml:14:10: error: a weekly loop needs `on` (weekdays, e.g. [mon, fri]) [loop-days-required]",
        id="weekly-needs-days",
    ),
    pytest.param(
        EMAS + "strategy:\n  every: month\n  on: [mon]\n  at: '08:00'\n  from: 2026-12-01\n",
        "campaigns/c.yaml:15:7: error: monthly `on` takes days 1 … 31 [loop-days-kind]",
        id="monthly-days-kind",
    ),
    pytest.param(
        EMAS + "channels:\n  job_key: 'bad key!'\n",
        "campaigns/c.yaml:14:12: error: channels.job_key: String should match pattern '^[A-Za-z0-9_-]{1,32}$' [schema]",
        id="job-key-charset",
    ),
    pytest.param(
        EMAS + "channels:\n  job_key: " + "k" * 33 + "\n",
        "campaigns/c.yaml:14:12: error: channels.job_key: String should match pattern",
        id="job-key-length",
    ),
    pytest.param(
        EMAS.replace("title: Hi", "title: " + "标" * 67),
        "campaigns/c.yaml:6:10: error: title is 201 bytes in UTF-8; EMAS allows at most 200 [emas-title-bytes]",
        id="title-bytes",
    ),
    pytest.param(
        MPAAS.replace(
            '  values: {count: "3"}\n',
            '  values: {count: "3"}\n  extras: {'
            + ", ".join(f"k{i}: v" for i in range(21))
            + "}\n",
        ),
        "campaigns/c.yaml:8:11: error: extras and channel options make 21 extended parameters; mPaaS allows at most 20 (code 3035) [mpaas-extended-params]",
        id="extended-params-20",
    ),
    pytest.param(
        MPAAS.replace(
            "  kind: user\n  source:\n    inline: [u1]\n",
            "  kind: broadcast\n  platform: android\n  push_status: all\n",
        ),
        "campaigns/c.yaml:11:16: error: push_status all needs `unbind_period` (mPaaS code 3051) [broadcast-unbind-period]",
        id="broadcast-unbind-period",
    ),
    pytest.param(
        MPAAS.replace(
            "  kind: user\n  source:\n    inline: [u1]\n",
            "  kind: broadcast\n  platform: android\n  bind_period: 7d\n  push_status: all\n  unbind_period: 7d\n  android_channel: mps\n",
        ),
        "campaigns/c.yaml:14:20: error: a broadcast to all users cannot use the mps self-built Android channel (mPaaS code 3053) [broadcast-all-self-channel]",
        id="broadcast-all-mps",
    ),
    pytest.param(
        EMAS + "channels:\n  harmony:\n    inbox: [a, b, c, d]\n",
        "campaigns/c.yaml:15:12:",
        id="harmony-inbox-3",
    ),
    pytest.param(
        EMAS + "channels:\n  android:\n    inbox: [a, b, c, d, e, f]\n",
        "campaigns/c.yaml:15:12:",
        id="android-inbox-5",
    ),
    pytest.param(
        EMAS
        + "channels:\n  store_offline: true\n  android:\n    popup: {activity: a.B, title: '"
        + "x" * 31
        + "', body: b}\n",
        "campaigns/c.yaml:16:",
        id="popup-title-30",
    ),
    pytest.param(
        EMAS
        + "channels:\n  store_offline: true\n  android:\n    popup: {activity: a.B, title: t, body: '"
        + "x" * 129
        + "'}\n",
        "campaigns/c.yaml:16:",
        id="popup-body-128",
    ),
    pytest.param(
        EMAS.replace(
            "  kind: device\n  device_type: android\n  source:\n    inline: [0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]\n",
            "  kind: tag\n  device_type: android\n  tag: vip\n",
        )
        + "api: continuous\n",
        "campaigns/c.yaml:12:6: error: ContinuouslyPush sends only to device, account or alias, not tag [emas-continuous-target]",
        id="continuous-only-lists",
    ),
    pytest.param(
        EMAS.replace(
            "    inline: [0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]",
            "    csv: missing.csv",
        ),
        "campaigns/c.yaml:12:10: error: audience file missing.csv not found (looked for",
        id="audience-file-missing",
    ),
    pytest.param(
        EMAS.replace(
            "    inline: [0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]",
            "    csv: ../../outside.csv",
        ),
        "campaigns/c.yaml:12:10: error: audience file ../../outside.csv is outside the project",
        id="audience-outside-project",
    ),
    pytest.param(
        EMAS.replace("app: shop-emas", "app: shop"),
        "campaigns/c.yaml:3:6: error: app `shop` is not declared in pushflow.yaml (apps: shop-emas, shop-mpaas) [app-unknown]",
        id="app-unknown",
    ),
    pytest.param(
        EMAS.replace("app: shop-emas", "app: shop-mpaas"),
        "campaigns/c.yaml:3:6: error: app `shop-mpaas` is an mpaas app; this campaign is for emas [app-provider]",
        id="app-provider",
    ),
    pytest.param(
        MPAAS.replace(
            '  values: {count: "3"}\n',
            '  values: {count: "3"}\n  template_text: {title: "#count# new", content: "for #name#"}\n',
        ),
        "campaigns/c.yaml:7:11: error: template placeholder #name# has no value in `values` (mPaaS code 3023) [template-placeholder-missing]",
        id="placeholder-missing",
    ),
    pytest.param(
        EMAS.replace("body: Hello", "body: 'Hello {{ row.name '"),
        "campaigns/c.yaml:7:9: error: message.body: template syntax error: unexpected end of template, expected 'end of print statement'. [template-syntax]",
        id="jinja-syntax",
    ),
    pytest.param(
        EMAS + "strategy:\n  at: 2026-12-01 08:00\n  timezone: Mars/Olympus\n",
        "campaigns/c.yaml:15:3: error: strategy.timezone: unknown key; expected one of: at, local_time, execute [schema-unknown-key]",
        id="strategy-unknown-key",
    ),
    pytest.param(
        EMAS + "timezone: Mars/Olympus\n",
        "campaigns/c.yaml:13:11: error: timezone: unknown IANA time zone 'Mars/Olympus' [schema]",
        id="bad-timezone",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_input_is_reported_at_its_place(
    text: str, expected: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/c.yaml": text})
    code, out, err = run(["validate"], root, capsys)
    assert code == 1, out
    assert any(line.startswith(expected) for line in out.splitlines()), out
    assert "Traceback" not in out + err


def test_every_error_of_every_file_is_reported(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "campaigns/a.yaml": EMAS.replace("title: Hi", "titel: Hi") + "epoch: -1\n",
            "campaigns/b.yaml": MPAAS.replace("app: shop-mpaas", "app: nope"),
        }
    )
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert out.splitlines() == [
        "campaigns/a.yaml:6:3: error: message.titel: unknown key; did you mean `title`? [schema-unknown-key]",
        "campaigns/a.yaml:13:8: error: epoch: Input should be greater than or equal to 0 [schema]",
        "campaigns/b.yaml:3:6: error: app `nope` is not declared in pushflow.yaml (apps: "
        "shop-emas, shop-mpaas) [app-unknown]",
        "3 errors in 2 files",
    ]


def test_bad_audience_rows_are_reported_by_row(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "device,name\n" + "".join(f"{i:032x},n{i}\n" for i in range(1, 1041)) + ",nobody\nabc\n"
    root = make_project(
        {
            "campaigns/c.yaml": EMAS.replace(
                "    inline: [0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]",
                "    csv: vip.csv\n    id_column: device",
            ),
            "campaigns/vip.csv": rows,
        }
    )
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert out.splitlines()[:2] == [
        "campaigns/vip.csv row 1042: error: no target id in column `device` [audience-row-id]",
        "campaigns/vip.csv row 1043: error: 1 fields, expected 2 as in the header [audience-row]",
    ]


def test_defaults_from_the_project_apply_and_errors_point_into_it(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import PROJECT_YAML

    project = PROJECT_YAML + "  emas:\n    message:\n      expire: 100h\n"
    root = make_project({"campaigns/c.yaml": EMAS}, project=project)
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "pushflow.yaml:16:15: error: expire is 4d4h; EMAS keeps offline pushes between 3s and 3d "
        "[emas-expire-range]"
    )


def test_github_format(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"campaigns/c.yaml": EMAS.replace("title: Hi", "titel: Hi")})
    code, out, _ = run(["validate", "--format", "github"], root, capsys)
    assert code == 1
    assert out.splitlines() == [
        "::error file=campaigns/c.yaml,line=6,col=3,title=schema-unknown-key::message.titel: "
        "unknown key; did you mean `title`?",
        "1 error in 1 file",
    ]


def test_json_format(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"campaigns/c.yaml": EMAS, "campaigns/d.yaml": "name: [\n"})
    code, out, _ = run(["validate", "--format", "json"], root, capsys)
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert report["campaigns"] == [
        {"name": "flash", "provider": "emas", "file": "campaigns/c.yaml"}
    ]
    assert report["problems"][0]["file"] == "campaigns/d.yaml"
    assert report["problems"][0]["line"] == 2
    assert report["problems"][0]["rule"] == "yaml-syntax"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MPAAS.replace("  values:", "  valeus:"),
            "message.valeus: unknown key; did you mean `values`?",
        ),
        (
            MPAAS + "channels:\n  android:\n    huawey: {category: '9'}\n",
            "channels.android.huawey: unknown key; did you mean `huawei`?",
        ),
        (
            EMAS + "channels:\n  ios: {apns: production}\n",
            "channels.ios.apns: unknown key; did you mean `apns_env`?",
        ),
        (
            EMAS + "strategy:\n  every: day\n  at: '08:00'\n  form: 2026-12-01\n",
            "strategy.form: unknown key; did you mean `from`?",
        ),
        (EMAS + "colour: red\n", "colour: unknown key"),
    ],
)
def test_unknown_keys_suggest_the_key_meant(
    text: str, expected: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/c.yaml": text})
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert expected in out


def test_paths_select_files(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"campaigns/a.yaml": EMAS, "campaigns/b.yaml": "name: [\n"})
    assert run(["validate", "campaigns/a.yaml"], root, capsys)[:2] == (0, "ok: 1 campaign valid\n")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", "no-such-file.yaml"], 2),
        (["validate", "--format", "xml"], 2),
        (["validate", "--bogus"], 2),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], code: int, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/a.yaml": EMAS})
    got, _, err = run(args, root, capsys)
    assert got == code
    assert "Traceback" not in err


def test_no_project_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate"], tmp_path, capsys)
    assert code == 1
    assert "no pushflow.yaml here or in any parent folder" in out


def test_harmony_devices_need_push_multiple(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MPAAS.replace("kind: user", "kind: harmony_device") + "api: template\n"
    root = make_project({"campaigns/c.yaml": text})
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "campaigns/c.yaml:9:9: error: HarmonyOS devices (deliveryType 7) are reached only through "
        "PushMultiple: use a template message with api auto or multiple [mpaas-harmony-multiple]"
    )


def test_limits_that_are_field_constraints_still_name_their_rule(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {"campaigns/c.yaml": EMAS + "channels:\n  harmony:\n    inbox: [a, b, c, d]\n"}
    )
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert out.splitlines()[0].endswith("[harmony-inbox-lines]")


def test_a_bad_default_is_reported_once(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import PROJECT_YAML

    project = PROJECT_YAML + "  emas:\n    message:\n      expire: 100h\n"
    root = make_project(
        {"campaigns/a.yaml": EMAS, "campaigns/b.yaml": EMAS.replace("name: flash", "name: other")},
        project=project,
    )
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    assert [line for line in out.splitlines() if "emas-expire-range" in line] == [
        "pushflow.yaml:16:15: error: expire is 4d4h; EMAS keeps offline pushes between 3s and 3d "
        "[emas-expire-range]"
    ]


def test_inline_ids_may_be_numbers(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/c.yaml": MPAAS.replace("[u1]", "[12345, 67890]")})
    assert run(["validate"], root, capsys)[:2] == (0, "ok: 1 campaign valid\n")


def test_a_server_loop_the_mpaas_clock_cannot_express(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = (
        "timezone: America/New_York\nstrategy:\n  every: day\n  at: '08:00'\n"
        "  from: 2026-12-01\n  until: 2027-04-30\n  execute: server\n"
    )
    root = make_project({"campaigns/c.yaml": MPAAS + loop})
    code, out, _ = run(["validate"], root, capsys)
    assert code == 1
    (line, _) = out.splitlines()
    assert line.startswith("campaigns/c.yaml:14:3: error: ")
    assert line.endswith(
        "use `execute: local` to have the pushflow daemon fire it [mpaas-server-loop-clock]"
    )
    assert line.count("execute: local") == 1
