import shutil

import pytest

from workshop.content import PACKAGE_CONTENT, ContentError, content, load_content


def test_six_states_in_rule_order_with_a_fallback_last():
    states = content().states
    assert [s.name for s in states] == ["Hanging by a thread", "Fading", "Fizzling", "Sparking",
                                        "Thriving", "Steady"]
    assert states[-1].when == [{}]
    assert len({s.symbol for s in states}) == 6, "each state needs its own marker symbol"
    assert all(s.description and s.advice for s in states)


def test_six_default_dimensions_with_examples_and_weights():
    dims = content().dimensions
    assert [d.key for d in dims] == ["communication", "trust", "expectations", "momentum",
                                     "mutual_value", "responsiveness"]
    assert all(d.question.endswith("?") and d.healthy and d.drifting and d.weight > 0
               for d in dims)


def test_agenda_guide_tones_and_faq():
    method = content()
    assert [p.key for p in method.phases] == ["why", "inventory", "health_check", "map",
                                              "choose", "plan", "commit", "faq"]
    assert all(p.minutes > 0 for p in method.phases)
    assert [s.key for s in method.steps] == ["ask", "own", "changed", "needs", "reconnect",
                                             "commitments"]
    assert all(s.prompts for s in method.steps)
    assert {t.key for t in method.tones} >= {"warm", "direct", "formal"}
    assert {f.key for f in method.faq} >= {"what_is_a_reset", "without_starting_over",
                                           "business", "reset_vs_break"}


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(PACKAGE_CONTENT, folder)
    return folder


def test_a_bad_field_is_named_with_its_file(copy):
    text = (copy / "dimensions.yaml").read_text().replace("weight: 1.5", "weight: -2", 1)
    (copy / "dimensions.yaml").write_text(text)
    with pytest.raises(ContentError) as caught:
        load_content(copy)
    message = str(caught.value)
    assert "dimensions.yaml" in message and "dimensions.1.weight" in message


def test_unknown_rule_bound_and_missing_fallback_are_refused(copy):
    states = (copy / "states.yaml").read_text()
    (copy / "states.yaml").write_text(states.replace("health_below: 35", "health_under: 35", 1))
    with pytest.raises(ContentError, match=r"states.yaml.*health_under"):
        load_content(copy)


def test_unreadable_yaml_names_the_file(copy):
    (copy / "faq.yaml").write_text("faq: [unclosed")
    with pytest.raises(ContentError, match="faq.yaml: cannot read"):
        load_content(copy)


def test_a_facilitator_folder_overrides_only_what_it_holds(copy):
    for name in ("states.yaml", "agenda.yaml", "guide.yaml", "faq.yaml", "scoring.yaml"):
        (copy / name).unlink()
    text = (copy / "dimensions.yaml").read_text().replace('"Communication"', '"Talking"', 1)
    (copy / "dimensions.yaml").write_text(text)
    adapted = load_content(copy)
    assert adapted.dimension("communication").name == "Talking"
    assert adapted.states == content().states
