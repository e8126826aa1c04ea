"""Every rendered text is checked against its service's limits; errors name campaign and row."""

from __future__ import annotations

import pytest

from pushflow.render import RenderError
from tests.render.conftest import OCCURRENCE, Build, row

P = "campaigns/x.yaml"
ROW = "audiences/vip.csv row 1042: "
TITLE, CONTENT, BODY = ("message", "title"), ("message", "content"), ("message", "body")
ANDROID = ("channels", "android")


def _render_emas(build: Build, path: tuple[str, ...], value: str) -> None:
    texts = {BODY: "b", path: "{{ row.text }}"} if path != BODY else {BODY: "{{ row.text }}"}
    build("emas", texts).render(row(1042, text=value), OCCURRENCE)


@pytest.mark.parametrize(
    ("path", "fits", "expected"),
    [
        (
            TITLE,
            "题" * 66 + "ab",
            "title is 201 bytes in UTF-8; EMAS allows at most 200 (Title) [emas-title-bytes]",
        ),
        (
            (*ANDROID, "popup", "title"),
            "题" * 30,
            "popup title is 31 characters; EMAS allows at "
            "most 30 (AndroidPopupTitle) [android-popup-length]",
        ),
        (
            (*ANDROID, "popup", "body"),
            "x" * 128,
            "popup body is 129 characters; EMAS allows at "
            "most 128 (AndroidPopupBody) [android-popup-length]",
        ),
        (
            (*ANDROID, "big_title"),
            "x" * 200,
            "big title is 201 bytes in UTF-8; EMAS allows at "
            "most 200 (AndroidBigTitle) [android-big-text-bytes]",
        ),
        (
            (*ANDROID, "big_body"),
            "é" * 500,
            "big body is 1001 bytes in UTF-8; EMAS allows at "
            "most 1000 (AndroidBigBody) [android-big-text-bytes]",
        ),
    ],
)
def test_emas_text_limits(build: Build, path: tuple[str, ...], fits: str, expected: str) -> None:
    _render_emas(build, path, fits)  # exactly at the limit: accepted
    with pytest.raises(RenderError) as caught:
        _render_emas(build, path, fits + "x")
    assert str(caught.value) == f"{P}:11:5: error: {ROW}{expected}"


def test_emas_title_is_measured_after_placeholder_substitution(build: Build) -> None:
    renderer = build(
        "emas", {TITLE: "Hello #name#", BODY: "b", ("message", "values", "name"): "{{ row.n }}"}
    )
    renderer.render(row(1042, n="x" * 194), OCCURRENCE)
    with pytest.raises(RenderError) as caught:
        renderer.render(row(1042, n="x" * 195), OCCURRENCE)
    assert str(caught.value) == (
        f"{P}:10:5: error: {ROW}title is 201 bytes in UTF-8; EMAS allows at most 200 (Title) "
        "[emas-title-bytes]"
    )


def test_limit_on_a_text_the_same_for_every_target_has_no_row(build: Build) -> None:
    renderer = build("emas", {TITLE: "{{ 'x' * 201 }}", BODY: "b"}, has_rows=False)
    with pytest.raises(RenderError) as caught:
        renderer.render(None, OCCURRENCE)
    assert str(caught.value) == (
        f"{P}:10:5: error: title is 201 bytes in UTF-8; EMAS allows at most 200 (Title) "
        "[emas-title-bytes]"
    )


@pytest.mark.parametrize(
    ("kind", "texts", "expected"),
    [
        (
            "mpaas-simple",
            {TITLE: "{{ row.t }}", CONTENT: "c"},
            "10:5: error: audiences/vip.csv row 1042: title is empty after rendering; mPaaS "
            "rejects an empty title (code 3024) [render-empty]",
        ),
        (
            "mpaas-simple",
            {TITLE: "t", CONTENT: "{{ row.t }}"},
            "11:5: error: audiences/vip.csv row 1042: content is empty after rendering; mPaaS "
            "rejects an empty content (code 3024) [render-empty]",
        ),
        (
            "emas",
            {BODY: " {{ row.t }} "},
            "10:5: error: audiences/vip.csv row 1042: body is empty after rendering; EMAS "
            "requires a body [render-empty]",
        ),
    ],
)
def test_required_texts_must_not_render_empty(
    build: Build, kind: str, texts: dict[tuple[str, ...], str], expected: str
) -> None:
    with pytest.raises(RenderError) as caught:
        build(kind, texts).render(row(1042, t=""), OCCURRENCE)
    assert str(caught.value) == f"{P}:{expected}"


def test_mpaas_per_target_extended_params(build: Build) -> None:
    def extras(count: int) -> dict[tuple[str, ...], str]:
        texts: dict[tuple[str, ...], str] = {("message", "values", "v"): "x"}
        texts |= {("message", "extras", f"k{i}"): "{{ row.k }}" for i in range(count)}
        texts[("message", "extras", "fixed")] = "same for all"
        return texts

    build("mpaas-template", extras(9))
    with pytest.raises(RenderError) as caught:
        build("mpaas-template", extras(10))
    assert str(caught.value) == (
        f"{P}:11:5: error: 10 extras differ per target; mPaaS PushMultiple allows at most 9 "
        "extended parameters per target (code 3049) [mpaas-target-extended-params]"
    )
