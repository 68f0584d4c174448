"""HTML bodies: sanitised for display, remote images counted and removed, text derived."""

from __future__ import annotations

import time

import pytest

from mailroom.parsing import ParseLimits, parse_mail

HEAD = b"From: alice@example.org\nTo: help@example.com\nSubject: html\nContent-Type: text/html\n\n"


def html_mail(html: str) -> bytes:
    return HEAD + html.encode()


CLEANED = [
    ("script_is_removed_with_its_content", "<p>hi</p><script>alert(1)</script>", "alert"),
    ("style_element_is_removed", "<style>p{color:red}</style><p>hi</p>", "color:red"),
    ("svg_is_removed", "<svg><script>x()</script><text>svgtext</text></svg><p>hi</p>", "svg"),
    ("math_is_removed", "<math><mi>x</mi></math><p>hi</p>", "<math"),
    (
        "form_is_removed",
        '<form action="https://evil.example"><input name=a></form><p>hi</p>',
        "form",
    ),
    ("iframe_is_removed", '<iframe src="https://evil.example"></iframe><p>hi</p>', "iframe"),
    ("base_is_removed", '<base href="https://evil.example/"><p>hi</p>', "base"),
    ("meta_refresh_is_removed", '<meta http-equiv="refresh" content="0;url=x"><p>hi</p>', "meta"),
    ("event_handler_is_removed", '<p onclick="steal()">hi</p>', "steal"),
    ("javascript_link_is_removed", '<a href="javascript:steal()">hi</a>', "javascript"),
    ("data_link_is_removed", '<a href="data:text/html,x">hi</a>', "data:"),
    ("svg_data_image_is_removed", '<img src="data:image/svg+xml,<svg/>"><p>hi</p>', "svg"),
    ("position_fixed_style_is_removed", '<p style="position:fixed;color:red">hi</p>', "fixed"),
]


@pytest.mark.parametrize(("html", "gone"), [c[1:] for c in CLEANED], ids=[c[0] for c in CLEANED])
def test_dangerous_html_is_removed(html: str, gone: str) -> None:
    result = parse_mail(html_mail(html))
    assert gone not in result.html
    assert "hi" in result.html


def test_remote_images_are_removed_and_counted() -> None:
    html = (
        '<p>hi<img src="https://tracker.example/p.gif"><img src="http://x.example/a.png">'
        '<img src="//cdn.example/b.png"></p>'
    )
    result = parse_mail(html_mail(html))
    assert "tracker.example" not in result.html and "cdn.example" not in result.html
    assert "remote images removed: 3" in result.defects


def test_cid_and_data_images_are_kept() -> None:
    html = '<p><img src="cid:logo@x"><img src="data:image/png;base64,iVBORw0KGgo="></p>'
    result = parse_mail(html_mail(html))
    assert 'src="cid:logo@x"' in result.html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in result.html
    assert not any("remote images" in d for d in result.defects)


def test_links_keep_their_target_and_get_a_safe_rel() -> None:
    result = parse_mail(html_mail('<a href="https://example.org/help">help</a>'))
    assert 'href="https://example.org/help"' in result.html
    assert "noopener" in result.html


def test_text_is_derived_from_html_when_there_is_no_text_part() -> None:
    html = "<html><head><title>T</title></head><body><p>Hello&nbsp;there</p>line<br>two</body>"
    assert parse_mail(html_mail(html)).text == "Hello there\n\nline\ntwo"


def test_text_part_wins_over_html_for_the_text() -> None:
    raw = (
        b"From: a@example.org\nContent-Type: multipart/alternative; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nplain words\n--b\nContent-Type: text/html\n\n"
        b"<p>html words</p>\n--b--\n"
    )
    result = parse_mail(raw)
    assert result.text == "plain words"
    assert "html words" in result.html


def test_html_over_the_size_cap_is_not_sanitised_but_gives_text() -> None:
    html = "<p>big</p>" + "<b>x</b>" * 2000
    result = parse_mail(html_mail(html), ParseLimits(max_html_bytes=1000))
    assert result.html == ""
    assert result.text.startswith("big")
    assert any("HTML body larger than" in d for d in result.defects)


def test_deeply_nested_html_falls_back_to_text_quickly() -> None:
    html = "<div>" * 100000 + "deep" + "</div>" * 100000
    started = time.monotonic()
    result = parse_mail(html_mail(html))
    assert time.monotonic() - started < 2
    assert result.html == "" and result.text == "deep"
    assert any("nested too deep" in d for d in result.defects)
