"""Whose act an event is: what analysts, sources or unnamed people agree, see or expect
is opinion or rumour, not a happening an analyst logs (../shared/eval/NOTES.md: "most
of the article is analyst opinion, which is not an event").

An event is theirs when its trigger verb has such a subject ("trading sources agreed"),
or one named with such a role in apposition ("Derek Scissors, a China scholar, said").
The roles are the events lexicon's `nonspeaker` words (data/event_triggers.tsv), the
same that keep them from issuing statements, less unnamed officials and advisers, whose
reports of what happened count.

Nor is an event one that only describes who speaks, or what they refer to ("said X, who
heads a group that has applauded the tariffs"): the frame of a saying is background to
what the sentence reports (`describes_a_speaker`).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.event_rules import SUBJECT_DEPS, lemmas

# Unnamed officials and advisers issue no statement, but what they report happened.
SOURCES_OF_FACT = frozenset({"official", "adviser"})
# Nor do the market's witnesses; what they report is how the wire reports a fact.
MARKET_WITNESSES = frozenset({"source", "trader", "dealer", "person", "people"})
# Entity labels that name a time.
DATED = frozenset({"DATE", "TIME"})


def attributed_to_nonspeaker(sent: Span, trigger: Token, nonspeakers: frozenset[str]) -> bool:
    """Is the trigger itself an analyst's, a source's or an unnamed person's act
    ("trading sources agreed", "analysts see")? A fact they mention in passing ("the
    U.S. threat on Friday to impose tariffs ..., analysts said") still happened."""
    if trigger.pos_ not in ("VERB", "AUX"):
        return False
    return any(
        child.dep_ in SUBJECT_DEPS and _is_nonspeaker(child, nonspeakers)
        for child in trigger.children
    )


def reported_by_nonspeaker(trigger: Token, nonspeakers: frozenset[str]) -> bool:
    """Is the trigger in what an analyst, an expert or a scholar says ("firms will pass
    on the tariffs, said Monica de Bolle, a senior fellow at ...")? Their account is
    opinion, unless it dates what it reports: a fact they mention in passing ("the U.S.
    threat on Friday to impose tariffs ..., analysts said") still happened. What
    dealers, traders and sources say happened is the wire's way of reporting a fact
    ("The Bank of Japan intervened, dealers said"): in the judged Reuters events four in
    five of those are events."""
    commentators = nonspeakers - MARKET_WITNESSES
    node = trigger
    while node.head.i != node.i:  # up to the reporting verb whose clause holds it
        said = node.head
        if (
            said.pos_ == "VERB"
            and said.lemma_.lower() in SAYING_OR_HOLDING
            and node in reported_clauses(said)
        ):
            if names_a_time(node):
                return False
            return any(
                c.dep_ in SUBJECT_DEPS and _is_nonspeaker(c, commentators) for c in said.children
            )
        node = said
    return False


def names_a_time(clause: Token) -> bool:
    """Does the clause name a date or a time ("on Friday", "overnight into Sunday")?"""
    return any(t.ent_type_ in DATED for t in clause.subtree)


def _is_nonspeaker(subject: Token, nonspeakers: frozenset[str]) -> bool:
    """ "analysts", "two people briefed on the talks", "Derek Scissors, a China scholar"."""
    nonspeakers = nonspeakers - SOURCES_OF_FACT
    if lemmas([subject]) & nonspeakers:
        return True
    for child in subject.children:
        if child.dep_ == "appos" and lemmas([child]) & nonspeakers:
            return True
    return False


# Verbs that report a figure moving or standing: the heart of a data release.
CHANGE_VERBS = frozenset(
    {
        "rise", "fall", "grow", "increase", "decrease", "decline", "drop", "climb", "dip",
        "ease", "slow", "narrow", "widen", "contract", "expand", "shrink", "total", "stand",
        "reach", "jump", "slip", "edge", "surge", "plunge", "be", "show", "average",
        "advance", "gain", "revise", "rebound", "recover", "soar", "tumble", "slump",
        "plummet", "rally", "retreat", "firm", "weaken", "strengthen", "improve",
        "worsen", "deteriorate", "accelerate", "decelerate", "double", "triple", "halve",
    }
)  # fmt: skip
FIGURES = frozenset({"PERCENT", "MONEY", "QUANTITY", "CARDINAL"})


def reported_clauses(said: Token, deps: tuple[str, ...] = ("ccomp", "parataxis")) -> list[Token]:
    """The heads of what a reporting verb reports: its clauses (`deps`), or the clause it
    hangs from when it follows what was said ("unemployment fell, the office said")."""
    clauses = [c for c in said.children if c.dep_ in deps]
    if not clauses and said.dep_ in ("ccomp", "parataxis"):
        clauses = [said.head]
    return clauses


def reports_a_statistic(said: Token, start: int = 0) -> bool:
    """Is what the speaker said a figure ("unemployment fell to 2.41 mln, the Federal
    Labour Office said")? A data release is no statement (NOTES: "data releases and
    statistics with no matching type" are not logged). `start`: where the sentence's
    body begins, when the parser ran a headline into it (doc_bounds leaves a wire
    headline in capitals to the parser): a clause it found there is the headline's."""
    clauses = reported_clauses(said)
    if any(c.i < start for c in clauses):
        clauses = _lead_clauses(said, start)
    for clause in clauses:
        if clause.lemma_.lower() not in CHANGE_VERBS:
            continue
        if any(t.ent_type_ in FIGURES for t in clause.subtree if not t.is_punct):
            return True
    return False


def _lead_clauses(said: Token, start: int) -> list[Token]:
    """The verbs heading the words between the body's start and the reporting verb
    ("CANADA LEADING INDICATOR UP 0.4 PCT" + "Canada's leading indicator advanced 0.4 pct
    ..., Statistics Canada said"): those whose head lies outside them."""
    lead = said.doc[start : said.i]
    return [
        t
        for t in lead
        if t.pos_ in ("VERB", "AUX") and (t.head.i == t.i or not start <= t.head.i < said.i)
    ]


def states_a_position(said: Token, aspire_verbs: tuple[str, ...]) -> bool:
    """Does what was said take a position: in the clause the reporting verb governs (or
    the one it hangs from: "China will act, Lin said"), a modal of intent ("would",
    "should", "must", "will") or a wish (the `aspire_verb` words: "wants", "seeks")? The
    spec's statement is a position on policy; "X said the jets were downed at night" is
    an account of events, "could", "might", "may" a guess, and a modal deep in a clause
    of its own no position of the speaker ("had accepted the gifts so they could look
    their best"). A stance verb in the clause ("said China expressed regret") is a
    trigger of its own."""
    clauses = reported_clauses(said, ("ccomp", "parataxis", "xcomp"))
    chain = [*clauses, *(x for c in clauses for x in c.children if x.dep_ in ("xcomp", "conj"))]
    return any(
        verb.lemma_.lower() in aspire_verbs
        or any(
            a.dep_ == "aux" and a.tag_ == "MD" and a.lower_ not in GUESSING_MODALS
            for a in verb.children
        )
        for verb in chain
    )


def recounts_dated_happening(said: Token) -> bool:
    """Does the speaker recount what happened at a time the clause names ("Russia used
    the missile in an attack on Kyiv on Sunday, Zelenskyy said"; "the ministry said its
    forces shot down 33 drones overnight")? An account of events, not a position; a past
    tense with no time of its own is as often the reported present of a position ("Bush
    said the US backed Russian entry") and is left alone, as is a past "was" ("said
    Japan was behind the March 3 attack")."""
    clauses = reported_clauses(said)
    return bool(clauses) and all(
        c.tag_ == "VBD"
        and c.lemma_ != "be"  # "said Japan was behind the March 3 attack": a stance
        and names_a_time(c)
        for c in clauses
    )


# Modals that guess rather than state an intent.
GUESSING_MODALS = frozenset({"could", "might", "may"})


OPEN_QUOTES = ('"', "\u201c")
CLOSE_QUOTES = ('"', "\u201d")
SAYING = frozenset({"say", "tell", "add", "write", "explain"})
# Verbs that report what someone holds rather than what happened ("analysts see ...",
# "economists expect ..."): a commentator's view in their clause is opinion as their
# saying is.
HOLDING_A_VIEW = frozenset(
    {"see", "believe", "think", "expect", "predict", "forecast", "reckon", "argue"}
)
SAYING_OR_HOLDING = SAYING | HOLDING_A_VIEW


def inside_quote(sent: Span, token: Token) -> bool:
    """Is the token inside a direct quotation opened earlier in its sentence?"""
    # The sentence's own text: Doc.text would rebuild the whole document per trigger.
    before = sent.text[: max(0, token.idx - sent.start_char)]
    opened = sum(before.count(q) for q in OPEN_QUOTES if q != '"') + before.count('"')
    closed = sum(before.count(q) for q in CLOSE_QUOTES if q != '"')
    return (before.count('"') % 2 == 1) or opened - before.count('"') > closed


# What describes a speaker rather than names them: "X, an analyst at Danish bank Y",
# "a trader in London", "the man who met the minister".
DESCRIBING_DEPS = frozenset({"appos", "prep", "relcl", "acl"})


def speaker_tokens(head: Token) -> list[Token]:
    """The words that name a speaker: its head with its names and titles, without the
    phrases that describe it (a country in "an analyst at a Danish bank" is no speaker)."""
    out = [head]
    for child in head.children:
        if child.dep_ not in DESCRIBING_DEPS and child.dep_ != "punct":
            out.extend(child.subtree)
    return out


def quoted_from_nonpublic(sent: Span, trigger: Token, public_starts: set[int]) -> bool:
    """Is the trigger inside a quote whose speaker, named in the same sentence, is no
    official or public body ('"We have signed a peace treaty," said the tourist')? A
    private person's words are no event an analyst logs; an official's quote is.
    `public_starts`: character offsets where an official, a country or a public body
    is named."""
    if not inside_quote(sent, trigger):
        return False
    for verb in sent:
        if verb.lemma_.lower() not in SAYING or verb.pos_ != "VERB":
            continue
        for child in verb.children:
            if child.dep_ not in SUBJECT_DEPS:
                continue
            subject = speaker_tokens(child)
            # a pronoun ("she said") points back at someone: maybe an official
            return child.pos_ != "PRON" and not any(t.idx in public_starts for t in subject)
    return False


# A clause or apposition that says who someone is ("who heads ...", "a group that ...");
# not a phrase of source ("people familiar with the talks", "briefed on the talks"),
# which presupposes the talks.
WHO_THEY_ARE = frozenset({"relcl", "appos"})


def describes_a_speaker(trigger: Token) -> bool:
    """Is the trigger in the words that frame a saying, saying who speaks or what they
    refer to, not in what they say ("said Scott Paul, who heads the Alliance ..., a group
    that has applauded Trump's tariff decisions"; "said Shotwell, referring to NASA's
    effort that funded the development of ...")? A clause or apposition that describes
    the speaker or their reference is background to what the sentence reports, unless
    it dates what it tells ("The official, a member of the U.S. delegation to ICO talks
    earlier this year, said"): a dated mention still happened."""
    node, description = trigger, None
    while node.head.i != node.i:
        if node.dep_ in WHO_THEY_ARE:
            description = node
        if (
            node.dep_ in (*SUBJECT_DEPS, "advcl")
            and node.head.pos_ == "VERB"
            and node.head.lemma_.lower() in SAYING
        ):
            # the parser may hang the time on the speaker ("The official, a member of
            # ..., earlier this year, said"): the whole frame is read for it
            return description is not None and not names_a_time(node)
        node = node.head
    return False
