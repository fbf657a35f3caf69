"""The self-contained HTML report: its markup, then a real headless Chromium."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from PIL import Image, ImageStat

from cls_analysis.export.report import DEMO_NOTICE


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def parsed(html_path):
    collector = _Collector()
    collector.feed(html_path.read_text(encoding="utf-8"))
    return collector


def test_self_contained_markup(parsed, html_path):
    html = html_path.read_text(encoding="utf-8")
    images = [a for t, a in parsed.tags if t == "img"]
    assert len(images) == 3
    assert all(a["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,")) for a in images)
    assert sum(a["src"].startswith("data:image/svg") for a in images) == 2  # the PNG-only figure falls back
    assert all(a.get("alt", "").strip() for a in images)
    assert not [t for t, _ in parsed.tags if t in {"script", "link", "iframe", "object"}]
    for tag, attributes in parsed.tags:
        for name in ("src", "href"):
            value = attributes.get(name, "")
            assert not value.startswith(("http:", "https:", "//")), (tag, value[:60])
    assert "url(http" not in html and "@import" not in html
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_structure_headings_toc_and_captions(parsed, report):
    headings = [(t, a) for t, a in parsed.tags if t in {"h1", "h2"}]
    assert [t for t, _ in headings].count("h1") == 1
    ids = {a["id"] for _, a in parsed.tags if "id" in a}
    toc_links = [a["href"] for t, a in parsed.tags if t == "a" and a.get("href", "").startswith("#")]
    assert len(toc_links) >= len(report.chapters) + 3  # chapters + missing, methods, sources
    assert all(link[1:] in ids for link in toc_links)
    text = " ".join(parsed.text)
    assert "Figure 1 – " in text and "Figure 3 – " in text and "Tableau 3 – " in text
    assert "Source : Insee, RP 2021" in text
    assert DEMO_NOTICE in text
    assert "23 novembre 2026" in text
    assert "secret statistique" in text
    assert "Données non disponibles" in text and "Taux de pauvreté d'Andilly" in text
    assert "31\u202f250" in text  # French thousands separator in tables


def test_html_opens_offline_in_chromium(chromium, html_path, tmp_path):
    page = chromium.open(html_path.as_uri())
    images = page.evaluate(
        "Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
        " width: i.naturalWidth, height: i.naturalHeight, shown: i.getBoundingClientRect().width}))"
    )
    assert len(images) == 3
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
        assert image["shown"] > 200, image  # laid out at a readable size
    requests = page.requests()
    assert requests[0] == html_path.as_uri()
    assert all(url.startswith("data:") for url in requests[1:]), [u[:60] for u in requests]
    errors = [e for e in page.log_entries() if e.get("level") == "error"]
    assert not errors, errors  # e.g. a Content-Security-Policy violation
    fonts = page.evaluate("document.fonts.check('16px \"CLS DejaVu Sans\"')")
    assert fonts
    assert page.evaluate("document.querySelectorAll('h2.chapter-title').length") == 6
    assert page.evaluate("document.title") == "Diagnostic local de santé – CC Aunis Atlantique"
    shot = page.screenshot(tmp_path / "diagnostic.png", full_page=True)
    with Image.open(shot) as image:
        assert image.size[1] > 3000  # the whole report, not an empty page
        stat = ImageStat.Stat(image.convert("L"))
        assert stat.stddev[0] > 20


def test_harness_sees_external_requests(chromium, tmp_path):
    """The check above would catch a report that fetches something (loopback only)."""
    page_file = tmp_path / "leaky.html"
    page_file.write_text('<!DOCTYPE html><html lang="fr"><body>'
                         '<img src="http://127.0.0.1:9/x.png" alt="x"></body></html>', encoding="utf-8")
    page = chromium.open(page_file.as_uri())
    assert any(url.startswith("http://127.0.0.1:9/") for url in page.requests())
    assert page.evaluate("document.images[0].naturalWidth") == 0


def test_html_prints_with_page_numbers_and_demo_notice(chromium, html_path, tmp_path):
    import base64

    import pypdfium2 as pdfium

    page = chromium.open(html_path.as_uri())
    data = chromium.send("Page.printToPDF", {"printBackground": True}, session=page.session)["data"]
    printed = tmp_path / "imprime.pdf"
    printed.write_bytes(base64.b64decode(data))
    document = pdfium.PdfDocument(printed)
    total = len(document)
    assert total >= 4  # each chapter starts a new page
    for index in range(total):
        text = document[index].get_textpage().get_text_range()
        assert DEMO_NOTICE in text
        assert f"{index + 1} / {total}" in text
    first_chapter = document[1].get_textpage().get_text_range()
    assert "1. Population et modes de vie" in first_chapter
    document.close()
