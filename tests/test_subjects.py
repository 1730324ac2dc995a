"""Subject normalisation for FAQ candidates: the rules, the derived table, and the grouping query."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from servicelevel import queries, subjects
from servicelevel.derived import refresh_derived
from tests.handmade import filters, import_requests


def test_the_portuguese_example_lands_in_one_group(con):
    keys = subjects.keys_for(con, ["Não consigo acessar o sistema #4521", "nao consigo acessar sistema"])
    # Accents folded and lowercased, "#4521" (a word with a digit) and the stop word "o" dropped.
    assert keys == {
        "Não consigo acessar o sistema #4521": "nao consigo acessar sistema",
        "nao consigo acessar sistema": "nao consigo acessar sistema",
    }


@pytest.mark.parametrize("subject, key", [
    # reply / forward prefixes, [tags], ticket numbers and filler words
    ("Re: ENC: [Portal] Pedido não chegou - pedido 12345", "pedido nao chegou"),
    ("URGENTE: VPN não conecta!!!", "vpn nao conecta"),
    ("RES: Dúvida no holerite", "duvida holerite"),
    # e-mail addresses and URLs
    ("Acesso para joao.example@example.org em https://intranet.example/app?id=7", "acesso"),
    ("Portal down, see www.example.com/status", "portal down see"),
    # ids and numbers of every shape
    ("Invoice INV-2026-0042 wrong amount", "invoice wrong amount"),
    ("2ª via de boleto", "via boleto"),
    # English stop words go, negations stay
    ("I cannot access the system", "cannot access system"),
    ("Printer not printing on the 3rd floor", "printer not printing floor"),
    # a word repeated later is kept once
    ("Senha senha SENHA bloqueada", "senha bloqueada"),
    # nothing but noise
    ("Re: #123", ""),
])
def test_normalisation_rules(con, subject, key):
    assert subjects.keys_for(con, [subject])[subject] == key


def test_stop_words_keep_negations_and_drop_function_words():
    words = set(subjects.stop_words())
    assert {"nao", "not", "sem", "without", "nunca", "never"}.isdisjoint(words)
    assert {"o", "de", "the", "my", "urgente", "re", "no"} <= words  # "no" is Portuguese "in the"


def test_refresh_keys_only_the_new_subjects(con, tmp_path):
    import_requests(con, tmp_path, [
        {"request_id": "R1", "created_at": "2026-03-02T10:00:00Z", "subject": "Não consigo acessar o sistema #4521"},
        {"request_id": "R2", "created_at": "2026-03-02T11:00:00Z", "subject": "nao consigo acessar sistema"},
        {"request_id": "R3", "created_at": "2026-03-02T12:00:00Z", "subject": "nao consigo acessar sistema"},
    ])
    assert not subjects.has_subject_keys(con)
    assert subjects.refresh_subject_keys(con) == 2  # two distinct subjects
    assert subjects.subject_keys_fresh(con)
    assert subjects.refresh_subject_keys(con) == 0
    import_requests(con, tmp_path, [
        {"request_id": "R4", "created_at": "2026-03-03T10:00:00Z", "subject": "VPN caindo"},
    ], name="more.csv")
    assert not subjects.subject_keys_fresh(con)
    assert subjects.refresh_subject_keys(con) == 1
    assert con.execute("select count(*) from subject_keys").fetchall()[0][0] == 3


def test_faq_candidates_group_counts_and_examples(con, tmp_path):
    rows = [
        # Four ways of writing one question, by three people.
        ("R1", "ann", "Não consigo acessar o sistema #4521"),
        ("R2", "bob", "nao consigo acessar sistema"),
        ("R3", "bob", "Re: Não consigo acessar o sistema"),
        ("R4", "cid", "NÃO CONSIGO ACESSAR O SISTEMA - chamado 99"),
        # Another question, twice.
        ("R5", "ann", "Senha expirada"),
        ("R6", "dan", "senha expirada!"),
        # Noise only: no group.
        ("R7", "dan", "Re: #77"),
    ]
    import_requests(con, tmp_path, [
        {"request_id": rid, "created_at": f"2026-03-0{2 + i // 4}T1{i}:00:00Z", "requester_id": who, "subject": text}
        for i, (rid, who, text) in enumerate(rows)
    ])
    refresh_derived(con)
    faq = queries.run(con, "faq_candidates", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "end_at": datetime(2026, 3, 9, tzinfo=timezone.utc), "max_rows": 10,
    })
    assert list(faq["subject_key"]) == ["nao consigo acessar sistema", "senha expirada"]
    first, second = faq.iloc[0], faq.iloc[1]
    # 4 of the 6 requests with a non-empty key; ann, bob and cid; four distinct wordings.
    assert (first["n_requests"], first["n_requesters"], first["n_variants"]) == (4, 3, 4)
    assert first["share"] == pytest.approx(4 / 6)
    assert (second["n_requests"], second["n_requesters"], second["share"]) == (2, 2, pytest.approx(2 / 6))
    assert len(first["examples"]) == 3
    # The newest of R1-R4 was created last (R4, 2026-03-02 13:00: day 2 + 3 // 4, hour 10 + 3).
    assert first["newest_request_id"] == "R4"


def test_subjects_differing_only_by_a_number_or_case_are_one_wording(con, tmp_path):
    subjects_by_id = {
        "P1": "Pedido 1041 não chegou",
        "P2": "pedido 2210 não chegou",
        "P3": "PEDIDO 37 NÃO CHEGOU ",  # case and a trailing space too
        "P4": "Pedido 1041 não chegou",
        "P5": "Meu pedido não chegou",  # another wording of the same question
        "P6": "Pedido não chegou #50010",  # a ticket number put after it, or none at all: still P1's wording
        "P7": "Pedido  não chegou",
    }
    import_requests(con, tmp_path, [
        {"request_id": rid, "created_at": f"2026-03-02T1{i}:00:00Z", "requester_id": f"r{i}", "subject": text}
        for i, (rid, text) in enumerate(subjects_by_id.items())
    ])
    refresh_derived(con)
    faq = queries.run(con, "faq_candidates", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "end_at": datetime(2026, 3, 9, tzinfo=timezone.utc), "max_rows": 10,
    })
    assert list(faq["subject_key"]) == ["pedido nao chegou"]
    group = faq.iloc[0]
    # P1-P4, P6 and P7 are one wording (six requests), P5 another (one): two wordings, the commoner
    # first, each shown as one of its own subjects.
    assert group["n_requests"] == 7 and group["n_variants"] == 2
    assert len(group["examples"]) == 2
    assert group["examples"][0] == "Pedido 1041 não chegou"  # the wording's commonest subject (P1, P4)
    assert group["examples"][1] == "Meu pedido não chegou"


def test_a_wording_is_shown_without_the_ticket_references_its_subjects_carry(con, tmp_path):
    # Each request cites its own ticket: "VPN muito lenta #11439" stood for the question asked. The
    # wording ("vpn muito lenta") already leaves the number out; so does the subject shown for it.
    # A subject that is only a reference ("#4242") has no subject key: it stands for no group.
    subjects = ["VPN muito lenta #11439", "VPN muito lenta #52688", "Re: VPN muito lenta #7", "#4242"]
    import_requests(con, tmp_path, [
        {"request_id": f"V{i}", "created_at": f"2026-03-02T1{i}:00:00Z", "requester_id": f"r{i}", "subject": text}
        for i, text in enumerate(subjects)
    ])
    refresh_derived(con)
    faq = queries.run(con, "faq_candidates", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "end_at": datetime(2026, 3, 9, tzinfo=timezone.utc), "max_rows": 10,
    })
    examples = {example for row in faq["examples"] for example in row}
    assert {"VPN muito lenta", "Re: VPN muito lenta"} <= examples
    assert not any("#" in example for example in examples) and len(faq) == 1, faq


def test_a_wording_whose_subjects_are_equally_common_is_shown_by_the_same_one_every_time(con, tmp_path):
    # Any of them could stand for the wording, and the FAQ table changed between runs. Of equals,
    # the one in mixed case: a subject all in capitals or all in lower case reads as shouted or sloppy.
    import_requests(con, tmp_path, [
        {"request_id": f"W{i}", "created_at": f"2026-03-02T1{i}:00:00Z", "requester_id": f"r{i}", "subject": text}
        for i, text in enumerate(["onde está meu pedido?", "ONDE ESTÁ MEU PEDIDO?", "Onde está meu pedido?"])
    ])
    refresh_derived(con)
    faq = queries.run(con, "faq_candidates", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "end_at": datetime(2026, 3, 9, tzinfo=timezone.utc), "max_rows": 10,
    })
    assert list(faq["examples"].iloc[0]) == ["Onde está meu pedido?"]


def test_an_faq_groups_top_category_and_newest_request_are_the_same_every_time(con, tmp_path):
    # Two requests, one category each, created at the same instant: mode() and arg_max() named
    # either. Ties now go by name and id.
    import_requests(con, tmp_path, [
        {"request_id": rid, "created_at": "2026-03-02T10:00:00Z", "requester_id": "r", "subject": "Senha expirada",
         "category": category, "provider_department": department}
        for rid, category, department in (("S2", "Zeta", "Payroll"), ("S1", "Alpha", "IT"))
    ])
    refresh_derived(con)
    faq = queries.run(con, "faq_candidates", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "end_at": datetime(2026, 3, 9, tzinfo=timezone.utc), "max_rows": 10,
    }).iloc[0]
    assert (faq["top_category"], faq["top_provider_department"], faq["newest_request_id"]) == ("Alpha", "IT", "S1")
