"""Voilà builds a Jinja environment per page; the kit's server shares one bytecode cache
between them, so a template is compiled once, and again only when its source changes."""

from __future__ import annotations

import jinja2
import pytest

from workshop.app.voila_server import MemoryBytecodeCache, share_compiled_templates


def _environment(folder, cache):
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache,
                              autoescape=True)


def test_a_second_environment_renders_without_compiling(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text("<p>{{ who }}</p>")
    cache = MemoryBytecodeCache()
    assert _environment(tmp_path, cache).get_template("page.html").render(who="a") == "<p>a</p>"
    second = _environment(tmp_path, cache)
    monkeypatch.setattr(second, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert second.get_template("page.html").render(who="<b>") == "<p>&lt;b&gt;</p>"


def test_an_edited_template_is_compiled_again(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("one")
    cache = MemoryBytecodeCache()
    assert _environment(tmp_path, cache).get_template("page.html").render() == "one"
    page.write_text("two")
    assert _environment(tmp_path, cache).get_template("page.html").render() == "two"


def test_every_new_exporter_environment_gets_the_shared_cache():
    class Exporter:
        def _create_environment(self):
            return jinja2.Environment()

    cache = share_compiled_templates(Exporter)
    first, second = Exporter()._create_environment(), Exporter()._create_environment()
    assert first.bytecode_cache is cache is second.bytecode_cache
