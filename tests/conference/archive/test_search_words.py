"""Words joined by punctuation ("Node.js", "ASP.NET", "scikit-learn") are found alike on both
databases: documents and queries are split at anything but letters and digits. "C++", "C#" and
"F#" are words of their own, told apart from each other and from "C"."""

from __future__ import annotations

import string

import pytest
from sqlalchemy import text

from conference.archive.models import POSTGRESQL_PUNCTUATION, language_words
from conference.archive.operations import refresh_conference_archive
from conference.archive.search import (
    FRAGMENT_BREAK,
    MARK_CLOSE,
    MARK_OPEN,
    SNIPPET_GAP,
    with_language_words,
    with_punctuation,
    with_whole_language_names,
)
from tests.conference.archive.conftest import titles

NODE = "Node.js in production"
ASP = "ASP.NET for newcomers"
SCIKIT = "Forecasting with scikit-learn"
CPP = "Modern C++ templates"
CSHARP = "C# records"
FSHARP = "F# for data"
OBJECTIVE_C = "Objective-C memories"
K8S = "k8s at home"
SERVERLESS = "Serverless functions"
LONG_ABSTRACT = (
    "Filler words about teams and habits. " * 12
    + "We moved the public API to Node.js (v20), and kept it there. "
    + "More filler about meetings. " * 12
)
LONG_CPP_ABSTRACT = (
    "Filler words about teams and habits. " * 12
    + "Then we rewrote the parser in C++17 (with modules), and kept it. "
    + "More filler about meetings. " * 12
)


def search(client, **params):
    response = client.get("/archive", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


@pytest.fixture
def technologies(db, archive):
    edition = archive.this_year
    edition.add_talk(NODE, "Running Node.js services at scale.")
    edition.add_talk(ASP, "Web apps on ASP.NET Core.")
    edition.add_talk(SCIKIT, "Pipelines and models.")
    edition.add_talk(CPP, "Concepts in C++20.")
    edition.add_talk(CSHARP, "Value semantics in C#.")
    edition.add_talk(FSHARP, "Type providers in F#, with notebooks.")
    edition.add_talk(OBJECTIVE_C, "Message passing in Objective-C, and a little C.")
    edition.add_talk(K8S, "A cluster in a cupboard.")
    edition.add_talk(SERVERLESS, "Cold starts in Node.js and Python.")
    refresh_conference_archive(edition.conference)
    db.session.commit()
    return archive


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("node", {NODE, SERVERLESS}),
        ("js", {NODE, SERVERLESS}),
        ("node.js", {NODE, SERVERLESS}),
        ("NODE.JS production", {NODE}),
        ('"node.js in production"', {NODE}),
        ("nod*", {NODE, SERVERLESS}),
        ("asp", {ASP}),
        ("net", {ASP}),
        ("asp.net", {ASP}),
        ("asp.n*", {ASP}),
        ("scikit", {SCIKIT}),
        ("learn", {SCIKIT}),
        ("scikit-learn", {SCIKIT}),
        ("k8s", {K8S}),
        ("k8*", {K8S}),
        ("c++ templates", {CPP}),
        ("node -serverless", {NODE}),
    ],
)
def test_words_joined_by_punctuation_are_found_by_each_part_and_whole(
    client, technologies, query, expected
):
    assert set(titles(search(client, q=query))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("c++", {CPP}),
        ("C++", {CPP}),
        ("c#", {CSHARP}),
        ("C#", {CSHARP}),
        ("f#", {FSHARP}),
        ("c++20", {CPP}),
        ('"in c++20"', {CPP}),
        ('"in c#"', {CSHARP}),
        ("c++ or f#", {CPP, FSHARP}),
        ("providers -c#", {FSHARP}),
        ("semantics -c++", {CSHARP}),
        # The letter alone is the letter alone: C++, C# and F# are other words.
        ("c", {OBJECTIVE_C}),
        ("objective-c", {OBJECTIVE_C}),
    ],
)
def test_languages_named_by_a_letter_and_symbols_are_told_apart(
    client, technologies, query, expected
):
    assert set(titles(search(client, q=query))) == expected


def test_highlights_mark_language_names_as_written(client, technologies):
    cpp = search(client, q="c++").get_data(as_text=True)
    assert "Modern <mark>C++</mark> templates" in cpp
    assert "Concepts in <mark>C++</mark>20." in cpp
    csharp = search(client, q="C#").get_data(as_text=True)
    assert "<mark>C#</mark> records" in csharp
    assert "Value semantics in <mark>C#</mark>." in csharp
    fsharp = search(client, q="f#").get_data(as_text=True)
    assert "<mark>F#</mark> for data" in fsharp
    assert "Type providers in <mark>F#</mark>, with notebooks." in fsharp


def test_snippets_of_long_abstracts_keep_language_names(db, client, technologies):
    technologies.this_year.add_talk("Rewriting the parser", LONG_CPP_ABSTRACT)
    refresh_conference_archive(technologies.this_year.conference)
    db.session.commit()
    response = search(client, q="c++ parser")
    assert titles(response) == ["Rewriting the parser"]
    assert "<mark>parser</mark> in <mark>C++</mark>17 (with modules)" in response.get_data(
        as_text=True
    )


def test_punctuated_title_matches_rank_above_abstract_matches(client, technologies):
    assert titles(search(client, q="node")) == [NODE, SERVERLESS]


def test_highlights_mark_the_word_and_keep_the_punctuation_around_it(client, technologies):
    html = search(client, q="node").get_data(as_text=True)
    assert "<mark>Node</mark>.js in production" in html
    assert "Running <mark>Node</mark>.js services at scale." in html


def test_snippets_of_long_abstracts_keep_their_punctuation(db, client, technologies):
    technologies.this_year.add_talk("Migrating the API", LONG_ABSTRACT)
    refresh_conference_archive(technologies.this_year.conference)
    db.session.commit()
    html = search(client, q="node").get_data(as_text=True)
    assert "to <mark>Node</mark>.js (v20), and kept it" in html


def test_with_punctuation_puts_the_original_characters_back_around_the_marks():
    original = "Node.js, ASP.NET & C++!"
    spaced = f"{MARK_OPEN}Node{MARK_CLOSE} js  ASP NET   cplusplus  "
    assert with_punctuation(original, spaced) == f"{MARK_OPEN}Node{MARK_CLOSE}.js, ASP.NET & C++!"


def test_with_punctuation_marks_a_language_name_where_its_word_is_marked():
    original = "C# and C++20."
    headline = f"{MARK_OPEN}csharp{MARK_CLOSE}  and {MARK_OPEN}cplusplus{MARK_CLOSE} 20 "
    assert with_punctuation(original, headline) == (
        f"{MARK_OPEN}C#{MARK_CLOSE} and {MARK_OPEN}C++{MARK_CLOSE}20."
    )


def test_whole_language_names_are_marked_where_sqlite_marks_their_letter():
    highlighted = (
        f"{MARK_OPEN}C{MARK_CLOSE}++, {MARK_OPEN}f{MARK_CLOSE}#, {MARK_OPEN}x{MARK_CLOSE}#"
    )
    assert with_whole_language_names(highlighted) == (
        f"{MARK_OPEN}C++{MARK_CLOSE}, {MARK_OPEN}f#{MARK_CLOSE}, {MARK_OPEN}x{MARK_CLOSE}#"
    )


def test_with_punctuation_finds_each_fragment_in_order():
    original = "a.b x.y filler a.b z"
    headline = f"{MARK_OPEN}a{MARK_CLOSE} b{FRAGMENT_BREAK}{MARK_OPEN}a{MARK_CLOSE} b z"
    assert with_punctuation(original, headline) == (
        f"{MARK_OPEN}a{MARK_CLOSE}.b{SNIPPET_GAP}{MARK_OPEN}a{MARK_CLOSE}.b z"
    )


def test_with_punctuation_leaves_a_fragment_it_cannot_place_as_it_is():
    assert with_punctuation("Node.js", "Deno") == "Deno"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_spaces_out_the_punctuation_python_does(db):
    sample = string.punctuation + " Müller—naïve_k8s 1.5 "
    spaced = db.session.scalar(
        text("SELECT regexp_replace(:sample, :pattern, ' ', 'g')"),
        {"sample": sample, "pattern": POSTGRESQL_PUNCTUATION},
    )
    expected = sample.translate(str.maketrans(string.punctuation, " " * len(string.punctuation)))
    assert spaced == expected


def test_databases_spell_language_names_as_python_does(db):
    sample = "C++20, c#; F#/f# c++++ C+ libc++ F## ASP.NET Objective-C"
    spelled = db.session.scalar(text(f"SELECT {language_words(':sample')}"), {"sample": sample})
    assert spelled == with_language_words(sample)
    assert "cplusplus" in spelled and "csharp" in spelled and "fsharp" in spelled
