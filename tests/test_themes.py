"""Comment themes: the Portuguese + English lexicon classifies comments into the business, human
and hidden dimensions, positive or negative; negations count for the negative theme; the file
is checked and can be extended."""

from __future__ import annotations

import pytest

from servicelevel import themes
from servicelevel.sample import COMMENT_TAILS, COMMENTS, PLAIN_COMMENTS

POLARITY = {"pos": "positive", "neg": "negative"}


@pytest.fixture(scope="module")
def lexicon() -> themes.Lexicon:
    return themes.load_lexicon()


def tags(lexicon: themes.Lexicon, names: list[str]) -> set[tuple[str, str]]:
    by_name = lexicon.by_name()
    return {(by_name[n].dimension, by_name[n].polarity) for n in names}


@pytest.mark.parametrize("language", ["pt", "en"])
def test_every_sample_comment_lands_in_its_dimension_with_its_polarity(con, lexicon, language):
    # The sample writes each comment for one (dimension, polarity); mixed ("mid") comments must
    # at least touch their dimension.
    cases = [(text, polarity, dimension) for (lang, polarity, dimension), texts in COMMENTS.items()
             if lang == language for text in texts]
    found = themes.classify(con, [text for text, _, _ in cases], lexicon)
    for text, polarity, dimension in cases:
        touched = tags(lexicon, found[text])
        assert dimension in {d for d, _ in touched}, (text, found[text])
        if polarity in POLARITY:
            assert (dimension, POLARITY[polarity]) in touched, (text, found[text])


def test_the_samples_plain_comments_touch_no_theme(con, lexicon):
    plain = [text for texts in PLAIN_COMMENTS.values() for text in texts]
    assert themes.classify(con, plain, lexicon) == {text: [] for text in plain}


def test_the_circumstances_added_to_sample_comments_change_no_theme(con, lexicon):
    tails = [tail for language_tails in COMMENT_TAILS.values() for tail in language_tails]
    assert themes.classify(con, tails, lexicon) == {tail: [] for tail in tails}
    texts = [text for (language, _, _), texts in COMMENTS.items() for text in texts]
    tailed = {f"{text} {tail}": text for (language, _, _), texts in COMMENTS.items() for text in texts
              for tail in COMMENT_TAILS[language]}
    alone, with_tail = themes.classify(con, texts, lexicon), themes.classify(con, list(tailed), lexicon)
    assert {full: with_tail[full] for full in tailed} == {full: alone[text] for full, text in tailed.items()}


@pytest.mark.parametrize("comment, expected", [
    # Portuguese
    ("Resolveram rápido, obrigado!", ["fast", "solved"]),
    ("Ainda não resolveram o problema.", ["not_solved"]),  # not also "solved"
    ("Fecharam o chamado sem resolver.", ["not_solved"]),
    ("Atendimento grosseiro e sem empatia.", ["disrespected"]),  # "sem empatia", not "empatia"
    ("Responderam, mas sem muita explicação.", ["unexplained"]),  # not rude: a milder complaint
    ("Processo simples, não precisei repetir nada.", ["smooth_process"]),
    ("ATENDIMENTO MUITO EDUCADO", ["courteous"]),  # case and accents ignored
    ("O chamado foi transferido três vezes.", ["repeat_handoffs"]),
    # English
    ("Still not fixed.", ["not_solved"]),
    ("Solved, but it took longer than I expected.", ["slow", "solved"]),
    ("Simple process, I did not have to repeat myself.", ["smooth_process"]),
    ("They promised to call back and never did.", ["promise_broken"]),
    ("They answered but did not explain much.", ["unexplained"]),
    ("I had to fill in the same form twice.", ["red_tape"]),
    # Nothing the lexicon knows
    ("ok", []),
    ("Obrigado", []),
])
def test_comments_and_their_themes(con, lexicon, comment, expected):
    assert themes.classify(con, [comment], lexicon)[comment] == expected


def test_words_match_whole_and_stems_match_endings(con):
    lexicon = themes.parse_lexicon("""
[[themes]]
name = "cold"
dimension = "human"
polarity = "negative"
pt = ["frio"]
en = ["resolv*"]
""")
    found = themes.classify(con, ["Um pouco frio.", "friorento", "They resolved it", "irresolvable"], lexicon)
    assert found == {"Um pouco frio.": ["cold"], "friorento": [], "They resolved it": ["cold"], "irresolvable": []}


def test_users_can_add_a_theme(con):
    text = themes.THEMES_PATH.read_text(encoding="utf-8") + """
[[themes]]
name = "price"
label = "Price"
dimension = "business"
polarity = "negative"
pt = ["caro", "taxa abusiva"]
en = ["expensive", "hidden fee*"]
"""
    lexicon = themes.parse_lexicon(text)
    found = themes.classify(con, ["Muito caro e demorado", "Hidden fees everywhere"], lexicon)
    assert found["Muito caro e demorado"] == ["price", "slow"]
    assert found["Hidden fees everywhere"] == ["price"]


def test_a_whole_word_goes_to_its_own_theme_before_a_stem_of_the_same_letters(con):
    # "fecha" is a whole term of one theme and the stem "fecha*" of another: the phrase "fecha"
    # fits both at the same length, and went to either.
    lexicon = themes.parse_lexicon(
        '[[themes]]\nname = "stem"\ndimension = "hidden"\npolarity = "negative"\npt = ["fecha*"]\n'
        '[[themes]]\nname = "whole"\ndimension = "business"\npolarity = "positive"\npt = ["fecha"]')
    found = themes.classify(con, ["Fecha amanhã", "Fechado sem resposta"], lexicon)
    assert found == {"Fecha amanhã": ["whole"], "Fechado sem resposta": ["stem"]}


@pytest.mark.parametrize("text, message", [
    ('[[themes]]\nname = "x"\ndimension = "money"\npolarity = "negative"\nen = ["a"]', "dimension"),
    ('[[themes]]\nname = "x"\ndimension = "human"\npolarity = "meh"\nen = ["a"]', "polarity"),
    ('[[themes]]\nname = "x"\ndimension = "human"\npolarity = "negative"', "no terms"),
    ('[[themes]]\nname = "x"\ndimension = "human"\npolarity = "negative"\nen = ["re*solve"]', "'*' may only end"),
    ('[[themes]]\nname = "Bad Name"\ndimension = "human"\npolarity = "negative"\nen = ["a"]', "name must be"),
    ('[[themes]]\nname = "x"\ndimension = "human"\npolarity = "negative"\nen = "a"', "must be a list"),
    ('[[themes]]\nname = "x"\ndimension = "human"\npolarity = "negative"\nen = ["a"]\n'
     '[[themes]]\nname = "x"\ndimension = "human"\npolarity = "negative"\nen = ["b"]', "used twice"),
    # A phrase belongs to one theme: "Demorou" in two would have gone to either.
    ('[[themes]]\nname = "slow"\ndimension = "business"\npolarity = "negative"\npt = ["demorou"]\n'
     '[[themes]]\nname = "cold"\ndimension = "human"\npolarity = "negative"\npt = ["Demorou", "frio"]',
     "the term 'demorou' is also in theme slow: a phrase can belong to one theme only"),
    ("themes = 3", "no [[themes]]"),
    ("[[themes]\n", "not valid TOML"),
])
def test_a_broken_lexicon_says_what_is_wrong(text, message):
    with pytest.raises(themes.ThemeError, match=message.replace("*", r"\*").replace("[", r"\[")):
        themes.parse_lexicon(text)


def test_the_bundled_lexicon_covers_every_dimension_both_ways(lexicon):
    assert {(t.dimension, t.polarity) for t in lexicon.themes} == {
        (d, p) for d in themes.DIMENSIONS for p in themes.POLARITIES
    }
    assert themes.fold("Atenção, E-MAIL!") == "atencao e mail"
