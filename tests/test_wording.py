"""How a caption opens on every one of a count of things."""

from servicelevel.wording import all_of, counted, sentence_start, the_first


def test_one_two_and_many():
    assert all_of(1, "request", "requests") == "The one request"
    assert all_of(2, "request", "requests") == "Both requests"
    assert all_of(12, "request", "requests") == "All 12 requests"
    assert all_of(1234, "SLA target", "SLA targets") == "All 1,234 SLA targets"


def test_a_count_with_its_noun():
    assert counted(1, "row") == "1 row"
    assert counted(1234, "row") == "1,234 rows"
    assert counted(2, "category", "categories") == "2 categories"


def test_the_first_of_a_list():
    assert the_first(1, "target", "targets") == "The target"
    assert the_first(10, "SLA target", "SLA targets") == "The 10 SLA targets"


def test_a_phrase_opening_a_sentence_keeps_its_other_capitals():
    assert sentence_start("the busiest internal provider of the period: IT") == (
        "The busiest internal provider of the period: IT")
    assert sentence_start("source jira has") == "Source jira has"
    assert sentence_start("") == ""
