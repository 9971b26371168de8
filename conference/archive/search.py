"""Full-text search over the archive: SQLite FTS5 on the embedded default, tsvector on PostgreSQL.

Both rank by relevance with the title weighted above speakers and tags, and those above
the abstract. People type anything into a search box, so what they type is parsed into
terms of letters and digits first, and each database gets the same query in its own syntax
(FTS5 MATCH, PostgreSQL to_tsquery): phrases, "or", "-word" and "word*" work on both.
Highlights come back from the database wrapped in private-use characters and only become
``<mark>`` after the text around them has been HTML-escaped.

Documents and queries are split into words the same way everywhere: at anything but letters
and digits, so "Node.js" is found by ``node``, ``js`` and ``node.js`` alike. PostgreSQL's own
parser would keep "Node.js" whole, so its document and headlines read the text with ASCII
punctuation spaced out (`postgresql_words`), and the headlines get their punctuation back here.
Before that split, "C++", "C#" and "F#" become words of their own (`with_language_words` here,
`language_words` in SQL), so a search for ``C++`` finds neither "C#" nor "Objective-C"; the
highlights still show (and mark) the names as written.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import selectinload

from conference.archive.models import (
    LANGUAGE_SPELLINGS,
    LANGUAGE_WORDS,
    POSTGRESQL_PUNCTUATION,
    POSTGRESQL_SEARCH_COLUMN,
    SQLITE_SEARCH_TABLE,
    ArchiveEntry,
    ProposalTopic,
    TopicTag,
)
from conference.extensions import db
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker

PER_PAGE = 20
MAX_TERMS = 32
LIKE_ESCAPE = "\\"
# Highlight markers: private-use characters that never need escaping and never appear in prose.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
# Between the fragments of a PostgreSQL headline, shown as SNIPPET_GAP once punctuation is back.
FRAGMENT_BREAK = "\ue002"
SNIPPET_GAP = " … "
SNIPPET_WORDS = 32
SHORT_ABSTRACT_CHARACTERS = 240
# bm25 column weights, in the FTS5 table's column order: title, speakers, tags, abstract.
SQLITE_WEIGHTS = (10.0, 4.0, 4.0, 1.0)
TEXT_SEARCH_CONFIG = "english"
POSTGRESQL_HEADLINE_TITLE = f"HighlightAll=true, StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}"
POSTGRESQL_HEADLINE_ABSTRACT = (
    f'MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, FragmentDelimiter="{FRAGMENT_BREAK}", '
    f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}"
)

# A quoted phrase (closing quote optional) or a run of anything but spaces and quotes.
QUERY_PIECE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
# Letters and digits; everything else separates words, as in FTS5's unicode61 tokenizer.
WORD = re.compile(r"[^\W_]+")
# What `conference.archive.models.postgresql_words` does in SQL: ASCII punctuation to spaces.
SPACED_PUNCTUATION = str.maketrans(string.punctuation, " " * len(string.punctuation))
# What `conference.archive.models.language_words` replaces in SQL, found in one pass.
LANGUAGE_REPLACEMENTS = dict(LANGUAGE_SPELLINGS)
LANGUAGE_SPELLING = re.compile("|".join(re.escape(written) for written in LANGUAGE_REPLACEMENTS))
# A highlight closing after a letter and before the punctuation of "C++", "C#" or "F#".
MARK_CLOSED_BEFORE_SYMBOLS = re.compile(
    f"([A-Za-z]){MARK_CLOSE}("
    + "|".join(sorted({re.escape(spelling[1:]) for spelling in LANGUAGE_WORDS}, reverse=True))
    + ")"
)


@dataclass(frozen=True)
class ArchiveQuery:
    """What a visitor searches for; empty or None parts do not narrow the results."""

    text: str = ""
    topic: str | None = None  # a topic slug
    track: str | None = None  # a track name: tracks are per conference, names last
    year: int | None = None
    hub: str | None = None  # a hub name, or "Online"
    speaker: str = ""  # part of a speaker's name
    speaker_id: int | None = None  # one person's talks


@dataclass
class ArchiveHit:
    entry: ArchiveEntry
    title_html: Markup
    snippet_html: Markup
    topics: list[TopicTag] = field(default_factory=list)


@dataclass
class ArchivePage:
    hits: list[ArchiveHit]
    total: int
    page: int
    per_page: int = PER_PAGE
    # The text query ran (False when the words had nothing searchable in them).
    searched: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1


# --- query text ----------------------------------------------------------------------------


def with_language_words(text: str) -> str:
    """``text`` with "C++", "C#" and "F#" spelled as words, as the search index stores them."""
    return LANGUAGE_SPELLING.sub(lambda match: LANGUAGE_REPLACEMENTS[match.group()], text)


@dataclass(frozen=True)
class _Term:
    """A word or a quoted phrase of what someone typed; ``prefix`` for ``word*``."""

    words: tuple[str, ...]
    prefix: bool = False


def _parsed_query(text: str) -> tuple[list[list[_Term]], list[_Term]]:
    """ANDed groups of ORed terms, and the excluded terms, of what someone typed.

    Words are ANDed; ``"two words"`` is a phrase; ``or`` between words means either;
    ``-word`` leaves out talks with that word; ``word*`` matches words starting with it.
    Everything else (operators, brackets, column filters) is just punctuation: a term holds
    letters and digits only, so it is safe in either database's query syntax.
    """
    groups: list[list[_Term]] = []
    excluded: list[_Term] = []
    join_next = False
    for match in QUERY_PIECE.finditer(text):
        phrase_not, phrase, word_not, word = match.groups()
        if phrase is not None:
            words = WORD.findall(with_language_words(phrase))
            negated, prefix = bool(phrase_not), False
        else:
            if word.lower() == "or" and not word_not:
                join_next = bool(groups)
                continue
            words = WORD.findall(with_language_words(word))
            negated, prefix = bool(word_not), word.endswith("*")
        if not words:
            continue
        term = _Term(tuple(words), prefix)
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    return groups, excluded


def _fts5_term(term: _Term) -> str:
    # Inside double quotes FTS5 reads only words; a quote would be doubled, and WORD has none.
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def fts5_match_expression(text: str) -> str | None:
    """A safe FTS5 MATCH expression for what someone typed, or None when nothing is searchable."""
    groups, excluded = _parsed_query(text)
    if not groups:
        # FTS5 has no "everything except": a query of only exclusions searches nothing.
        return None
    expression = " AND ".join(
        _fts5_term(group[0])
        if len(group) == 1
        else "(" + " OR ".join(_fts5_term(term) for term in group) + ")"
        for group in groups
    )
    for term in excluded:
        expression = f"({expression}) NOT {_fts5_term(term)}"
    return expression


def _tsquery_term(term: _Term) -> str:
    # Quoted lexemes are still stemmed by to_tsquery; the last word of "kube*" becomes a prefix.
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def tsquery_expression(text: str) -> str | None:
    """The same query as `fts5_match_expression`, in PostgreSQL's to_tsquery syntax."""
    groups, excluded = _parsed_query(text)
    if not groups:
        return None
    expression = " & ".join(
        _tsquery_term(group[0])
        if len(group) == 1
        else "(" + " | ".join(_tsquery_term(term) for term in group) + ")"
        for group in groups
    )
    for term in excluded:
        expression = f"{expression} & !{_tsquery_term(term)}"
    return expression


def has_searchable_words(text: str) -> bool:
    """True when ``text`` holds at least one word to search for."""
    return fts5_match_expression(text) is not None


def marked_up(text: str | None) -> Markup:
    """Escape ``text`` and turn its highlight markers into balanced ``<mark>`` elements."""
    result = Markup("")
    open_mark = False
    for piece in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", text or ""):
        if piece == MARK_OPEN:
            if not open_mark:
                result += Markup("<mark>")
                open_mark = True
        elif piece == MARK_CLOSE:
            if open_mark:
                result += Markup("</mark>")
                open_mark = False
        else:
            result += piece  # Markup escapes plain text added to it
    if open_mark:
        result += Markup("</mark>")
    return result


def _searchable_characters(original: str) -> tuple[str, list[str]]:
    """``original`` as PostgreSQL's document and headlines read it, and what each character was.

    That text has language words spelled out and punctuation spaced out. Each of its characters
    stands for one character of ``original``, except a language word: its first character
    stands for the whole name ("C++") and the rest (its letters, the space after it) for nothing.
    """
    searchable: list[str] = []
    originals: list[str] = []
    position = 0
    for match in LANGUAGE_SPELLING.finditer(original):
        searchable.append(original[position : match.start()])
        originals.extend(original[position : match.start()])
        replacement = LANGUAGE_REPLACEMENTS[match.group()]
        searchable.append(replacement)
        originals.extend([match.group(), *[""] * (len(replacement) - 1)])
        position = match.end()
    searchable.append(original[position:])
    originals.extend(original[position:])
    return "".join(searchable).translate(SPACED_PUNCTUATION), originals


def with_punctuation(original: str, headline: str) -> str:
    """``headline``, made from ``original`` as PostgreSQL searches it, in ``original``'s characters.

    Each fragment of the headline is found in that searchable text (`_searchable_characters`),
    and its characters are replaced by those of ``original`` they stand for: punctuation comes
    back, and a marked "cplusplus" is a marked "C++" again.
    """
    searchable, originals = _searchable_characters(original)
    fragments = []
    cursor = 0
    for fragment in headline.split(FRAGMENT_BREAK):
        plain = fragment.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
        start = searchable.find(plain, cursor)
        if start < 0:
            start = searchable.find(plain)
        if start < 0:
            # Not a piece of the text after all: better without punctuation than wrong.
            fragments.append(fragment)
            continue
        restored = []
        position = start
        for character in fragment:
            if character in (MARK_OPEN, MARK_CLOSE):
                restored.append(character)
            else:
                restored.append(originals[position])
                position += 1
        fragments.append("".join(restored))
        cursor = position
    return SNIPPET_GAP.join(fragments)


def with_whole_language_names(highlighted: str) -> str:
    """``highlighted`` with a mark that ends inside "C++", "C#" or "F#" moved past the name.

    FTS5 marks the words of the original text, and "C++" there is the word "c": a match for
    the language's word would otherwise read "<mark>C</mark>++".
    """

    def whole(match: re.Match[str]) -> str:
        letter, symbols = match.groups()
        if (letter + symbols).lower() in LANGUAGE_WORDS:
            return letter + symbols + MARK_CLOSE
        return match.group()

    return MARK_CLOSED_BEFORE_SYMBOLS.sub(whole, highlighted)


def _opening_words(text: str, words: int = SNIPPET_WORDS) -> str:
    found = text.split()
    return " ".join(found[:words]) + (" …" if len(found) > words else "")


# --- filters -------------------------------------------------------------------------------


def is_public():
    """Still an accepted or confirmed talk (a declined talk leaves before the next rebuild)."""
    return (
        select(Proposal.id)
        .where(Proposal.id == ArchiveEntry.proposal_id, Proposal.state.in_(PUBLIC_STATES))
        .exists()
    )


def _like_pattern(text: str) -> str:
    escaped = (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _filters(query: ArchiveQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [is_public()]
    if query.topic:
        conditions.append(
            ArchiveEntry.proposal_id.in_(
                select(ProposalTopic.proposal_id)
                .join(TopicTag, TopicTag.id == ProposalTopic.tag_id)
                .where(TopicTag.slug == query.topic)
            )
        )
    if query.track:
        conditions.append(ArchiveEntry.track_name == query.track)
    if query.year is not None:
        conditions.append(ArchiveEntry.year == query.year)
    if query.hub:
        conditions.append(ArchiveEntry.hub_name == query.hub)
    if query.speaker.strip():
        conditions.append(
            func.lower(ArchiveEntry.speaker_names).like(
                _like_pattern(" ".join(query.speaker.split())), escape=LIKE_ESCAPE
            )
        )
    if query.speaker_id is not None:
        conditions.append(
            ArchiveEntry.proposal_id.in_(
                select(ProposalSpeaker.proposal_id).where(
                    ProposalSpeaker.user_id == query.speaker_id,
                    ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
                )
            )
        )
    return conditions


# --- the two engines -----------------------------------------------------------------------


class _Engine:
    """Ranked ids and highlights for one database's full-text machinery."""

    def __init__(self, text: str):
        self.text = text

    def matching(self, statement: Select) -> Select:
        raise NotImplementedError

    def ranked(self, statement: Select, total: int) -> Select:
        """``statement`` limited to matches, best first; ``total`` is how many match."""
        raise NotImplementedError

    def highlights(self, proposal_ids: list[int]) -> dict[int, tuple[str, str]]:
        raise NotImplementedError


class _SQLiteEngine(_Engine):
    search_table = table(SQLITE_SEARCH_TABLE, column("rowid"))
    table_name = literal_column(SQLITE_SEARCH_TABLE)

    def __init__(self, text: str):
        super().__init__(text)
        self.expression = fts5_match_expression(text)

    def _match(self) -> ColumnElement[bool]:
        return self.table_name.op("MATCH")(literal(self.expression))

    def matching(self, statement: Select) -> Select:
        return statement.join(
            self.search_table, self.search_table.c.rowid == ArchiveEntry.proposal_id
        ).where(self._match())

    def ranked(self, statement: Select, total: int) -> Select:
        # bm25() is lower for better matches.
        weights = [literal_column(repr(weight)) for weight in SQLITE_WEIGHTS]
        return self.matching(statement).order_by(func.bm25(self.table_name, *weights))

    def highlights(self, proposal_ids: list[int]) -> dict[int, tuple[str, str]]:
        rows = db.session.execute(
            select(
                self.search_table.c.rowid,
                func.highlight(self.table_name, literal_column("0"), MARK_OPEN, MARK_CLOSE),
                func.snippet(
                    self.table_name,
                    literal_column("3"),
                    MARK_OPEN,
                    MARK_CLOSE,
                    "…",
                    literal_column(str(SNIPPET_WORDS)),
                ),
            ).where(self._match(), self.search_table.c.rowid.in_(proposal_ids))
        )
        return {
            rowid: (with_whole_language_names(title), with_whole_language_names(snippet))
            for rowid, title, snippet in rows
        }


class _PostgreSQLEngine(_Engine):
    # The stored, generated tsvector column the GIN index is built on.
    document = literal_column(f"archive_entries.{POSTGRESQL_SEARCH_COLUMN}")

    def _tsquery(self):
        # Built from the same parsed terms as SQLite's query, so both understand "a or b",
        # "-word", phrases and "word*" alike; the expression is a bound parameter.
        return func.to_tsquery(
            literal_column(f"'{TEXT_SEARCH_CONFIG}'"), tsquery_expression(self.text) or ""
        )

    def matching(self, statement: Select) -> Select:
        # The matches come from the GIN index alone (MATERIALIZED keeps the planner from
        # folding them into the filters, which on big years would test every talk of the year).
        matches = (
            select(ArchiveEntry.proposal_id)
            .where(self.document.op("@@")(self._tsquery()))
            .cte("search_matches")
            .prefix_with("MATERIALIZED")
        )
        return statement.where(ArchiveEntry.proposal_id.in_(select(matches.c.proposal_id)))

    def ranked(self, statement: Select, total: int) -> Select:
        # ts_rank_cd, not ts_rank: ts_rank scores every document 1e-20 once the query has a
        # "-word", so exclusions would lose the ranking; both honour the A/B/C weights.
        # The tsvector is stored, so ranking every match costs no re-parsing.
        rank = func.ts_rank_cd(self.document, self._tsquery())
        return self.matching(statement).order_by(rank.desc())

    def highlights(self, proposal_ids: list[int]) -> dict[int, tuple[str, str]]:
        config = literal_column(f"'{TEXT_SEARCH_CONFIG}'")
        # Headlines parse the text as the stored document does: language words spelled out,
        # punctuation spaced out.
        title = _spaced_out(ArchiveEntry.title)
        abstract = _spaced_out(ArchiveEntry.abstract_text)
        rows = db.session.execute(
            select(
                ArchiveEntry.proposal_id,
                ArchiveEntry.title,
                ArchiveEntry.abstract_text,
                func.ts_headline(config, title, self._tsquery(), POSTGRESQL_HEADLINE_TITLE),
                # A short abstract is shown whole, as SQLite's snippet() does.
                case(
                    (
                        func.length(ArchiveEntry.abstract_text) <= SHORT_ABSTRACT_CHARACTERS,
                        func.ts_headline(
                            config, abstract, self._tsquery(), POSTGRESQL_HEADLINE_TITLE
                        ),
                    ),
                    else_=func.ts_headline(
                        config, abstract, self._tsquery(), POSTGRESQL_HEADLINE_ABSTRACT
                    ),
                ),
            ).where(ArchiveEntry.proposal_id.in_(proposal_ids))
        )
        return {
            proposal_id: (
                with_punctuation(title_text, title_headline),
                with_punctuation(abstract_text, abstract_headline),
            )
            for proposal_id, title_text, abstract_text, title_headline, abstract_headline in rows
        }


def _spaced_out(text: ColumnElement[str]) -> ColumnElement[str]:
    """``text`` as `conference.archive.models.postgresql_search_text` reads it."""
    for written, replacement in LANGUAGE_SPELLINGS:
        text = func.replace(text, written, replacement)
    return func.regexp_replace(text, POSTGRESQL_PUNCTUATION, " ", "g")


def _engine(text: str) -> _Engine | None:
    if not has_searchable_words(text):
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        return _PostgreSQLEngine(text)
    return _SQLiteEngine(text)


# --- searching -----------------------------------------------------------------------------


def topics_of(proposal_ids: list[int]) -> dict[int, list[TopicTag]]:
    """Each proposal's topics, by name."""
    found: dict[int, list[TopicTag]] = {proposal_id: [] for proposal_id in proposal_ids}
    if not proposal_ids:
        return found
    rows = db.session.execute(
        select(ProposalTopic.proposal_id, TopicTag)
        .join(TopicTag, TopicTag.id == ProposalTopic.tag_id)
        .where(ProposalTopic.proposal_id.in_(proposal_ids))
        .order_by(TopicTag.name)
    )
    for proposal_id, tag in rows:
        found[proposal_id].append(tag)
    return found


def search_archive(query: ArchiveQuery, page: int = 1, per_page: int = PER_PAGE) -> ArchivePage:
    """One page of archived talks matching ``query``: best match first, else newest first."""
    page = max(page, 1)
    engine = _engine(query.text)
    base = select(ArchiveEntry.proposal_id).where(*_filters(query))
    counted = select(func.count()).select_from(ArchiveEntry).where(*_filters(query))
    newest = (ArchiveEntry.starts_at.desc().nulls_last(), ArchiveEntry.proposal_id.desc())
    if engine is not None:
        total = db.session.scalar(engine.matching(counted)) or 0
        ordered = engine.ranked(base, total).order_by(*newest)
    else:
        total = db.session.scalar(counted) or 0
        ordered = base.order_by(*newest)
    ids = list(db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)))
    entries = {
        entry.proposal_id: entry
        for entry in db.session.scalars(
            select(ArchiveEntry)
            .where(ArchiveEntry.proposal_id.in_(ids))
            .options(selectinload(ArchiveEntry.conference))
        )
    }
    highlights = engine.highlights(ids) if engine is not None and ids else {}
    topics = topics_of(ids)
    hits = []
    for proposal_id in ids:
        entry = entries[proposal_id]
        title, snippet = highlights.get(
            proposal_id, (entry.title, _opening_words(entry.abstract_text))
        )
        hits.append(ArchiveHit(entry, marked_up(title), marked_up(snippet), topics[proposal_id]))
    return ArchivePage(
        hits=hits, total=total, page=page, per_page=per_page, searched=engine is not None
    )
