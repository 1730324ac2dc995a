"""Subject normalisation for FAQ candidates: which requests ask the same thing.

People write the same question many ways: "Não consigo acessar o sistema #4521", "nao consigo
acessar sistema", "Re: NÃO CONSIGO ACESSAR O SISTEMA - chamado 88213". The grouping key keeps
the words that say what the request is about and drops what varies between copies: accents,
case, reply prefixes, tags, ticket numbers and ids, e-mail addresses, URLs, and stop words in
Portuguese and English (servicelevel/sql/subject_keys.sql lists the rules in order).

Negations stay in the key ("nao", "not", "sem", "without"): "VPN não conecta" and "VPN conecta
mas cai" are different articles to write.

The keys are computed in DuckDB, once per distinct subject, into the derived table
subject_keys(subject, subject_key); refresh_subject_keys() adds the subjects imports brought
and rebuilds everything when these rules change.
"""

from __future__ import annotations

import hashlib

import duckdb

from servicelevel import store
from servicelevel.derived import data_marker, table_exists
from servicelevel.sqlfiles import pipeline_sql

META_VERSION = "subject_keys_version"

# Portuguese function words (the usual stop list, accents folded), without the negations.
STOP_WORDS_PT = frozenset("""
a ao aos aquela aquelas aquele aqueles aquilo as ate com como da das de dela delas dele deles
depois do dos e ela elas ele eles em entre era eram eramos essa essas esse esses esta estamos
estao estar estas estava estavam estavamos este esteja estejam estejamos estes esteve estive
estivemos estiver estivera estiveram estiveramos estiverem estivermos estivesse estivessem
estivessemos estou eu foi fomos for fora foram foramos forem formos fosse fossem fossemos fui
ha haja hajam hajamos hao havemos haver hei houve houvemos houver houvera houvera houveram
houveramos houverao houverei houverem houveremos houveria houveriam houveriamos houvermos
houvesse houvessem houvessemos isso isto ja lhe lhes mais mas me mesmo meu meus minha minhas
muito na nas no nos nossa nossas nosso nossos num numa o os ou para pela pelas pelo pelos por
qual quando que quem sao se seja sejam sejamos ser sera serao serei seremos seria seriam
seriamos seu seus so somos sou sua suas tambem te tem temos tenha tenham tenhamos tenho tera
terao terei teremos teria teriam teriamos teu teus teve tinha tinham tinhamos tive tivemos
tiver tivera tiveram tiveramos tiverem tivermos tivesse tivessem tivessemos tu tua tuas um uma
voce voces vos pra pro
""".split())

# English function words (the usual stop list), without the negations and without the
# particles that carry the problem in IT subjects ("server down", "locked out", "log off").
STOP_WORDS_EN = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing an the and
but if or because as until while of at by for with about against between into through during
before after above below to from in on again further then once here
there when where why how all any both each few more most other some such only own same so than
too very can will just don should now ll re ve ain aren couldn didn doesn hadn hasn haven isn
ma mightn mustn needn shan shouldn wasn weren won wouldn
""".split())

# Helpdesk filler: says how the request was sent or how urgent it felt, not what it is about.
FILLER_WORDS = frozenset("""
re res fw fwd enc tr aw wg urgente urgent urgencia asap chamado chamados ticket tickets favor
please pls plz ola oi hello hi ajuda help preciso need obrigado obrigada thanks thank
""".split())

# Kept on purpose, although the usual stop lists contain them. ("no" is not among them: in
# Portuguese it is "in the", far more common in subjects than the English "no".)
NEGATIONS = frozenset({"nao", "nem", "nunca", "sem", "not", "never", "without", "cannot"})


def stop_words() -> list[str]:
    """Every word dropped from subject keys (folded, sorted)."""
    return sorted((STOP_WORDS_PT | STOP_WORDS_EN | FILLER_WORDS) - NEGATIONS)


def rules_fingerprint() -> str:
    """Changes whenever the normalisation rules (SQL or stop words) change."""
    text = pipeline_sql("subject_keys") + "\n".join(stop_words())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _version(con: duckdb.DuckDBPyConnection) -> str:
    return f"{data_marker(con, with_sla=False)}:{rules_fingerprint()}"


def has_subject_keys(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the derived table subject_keys exists."""
    return table_exists(con, "subject_keys")


def subject_keys_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when subject_keys covers every subject under the current rules."""
    return has_subject_keys(con) and store.get_meta(con, META_VERSION) == _version(con)


def keys_for(con: duckdb.DuckDBPyConnection, subjects: list[str]) -> dict[str, str]:
    """The grouping key of each given subject (computed by the same SQL as the derived table)."""
    con.execute(
        "create or replace temp table subjects_to_key as select distinct unnest($subjects::varchar[]) as subject",
        {"subjects": list(subjects)},
    )
    try:
        rows = con.execute(pipeline_sql("subject_keys"), {"stop_words": stop_words()}).fetchall()
    finally:
        con.execute("drop table if exists subjects_to_key")
    return dict(rows)


def refresh_subject_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Key every subject not keyed yet (all of them when the rules changed); returns how many.

    Cheap when little changed: only subjects absent from subject_keys are normalised.
    """
    rules = rules_fingerprint()
    with store.transaction(con):
        if not has_subject_keys(con) or not (store.get_meta(con, META_VERSION) or "").endswith(":" + rules):
            con.execute("create or replace table subject_keys (subject varchar, subject_key varchar)")
        con.execute(
            """create or replace temp table subjects_to_key as
               select distinct r.subject
               from requests as r
               anti join subject_keys as k on k.subject = r.subject
               where r.subject is not null"""
        )
        added = con.execute("select count(*) from subjects_to_key").fetchall()[0][0]
        con.execute("insert into subject_keys " + pipeline_sql("subject_keys"), {"stop_words": stop_words()})
        con.execute("drop table subjects_to_key")
        store.set_meta(con, META_VERSION, _version(con))
    return added
