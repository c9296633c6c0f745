"""How a sentence reports what its trigger names: as a happening, or hedged (a modal, a
condition, a wish, an aim, a prospect, a refusal, a negation, a question), or as the kind
in general; and for a statement whether it was made at all. Read off the parse and a few
closed-class words; the content words (the wish and refusal verbs, the nouns of aim and
possibility, the reporting verbs) are data/event_words.tsv's, through `event_rules`.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.event_rules import (
    ASPIRE_NOUNS,
    ASPIRE_VERBS,
    CONDITIONAL_MARKS,
    MODALS,
    REFUSE_VERBS,
    REPORTED_SPEECH_VERBS,
    governing_verb,
)


def is_hedged(token: Token) -> bool:
    """A modal, a negation, an if/unless/whether clause, a wish on the trigger's verb, a
    noun of wish, aim or possibility above it, or a question: not (yet) a happening
    ("could impose", "did not sign", "is seeking pacts", "ruled out talks", "goals for a
    trade pact", "the prospects for a deal", "whether they will agree", "Will they
    invest?")."""
    if is_question(token.sent):
        return True  # "Will US companies underwrite an investment?" asserts none
    verb = governing_verb(token)
    if verb is None:
        return False
    if any(_negated(tok) or _wishes_or_refuses(tok) for tok in _own_verbs(verb)):
        return True
    if _sought(token, verb):
        return True  # "pairing ambitious goals for a trade pact"
    for tok in (verb, *verb.ancestors):
        if _aim_noun(tok):  # never the verb itself: a noun
            return True  # "an attempt to change the legal context for ... complaints"
        for child in tok.children:
            if (
                child.dep_ == "aux"
                and child.lower_ in MODALS
                and not (tok is verb and reported_future(verb, child))
            ):
                return True
            if child.dep_ == "mark" and child.lower_ in CONDITIONAL_MARKS:
                return True
        if tok.dep_ not in ("xcomp", "ccomp", "conj", "advcl", "acl"):
            break
    return False


def _sought(token: Token, verb: Token) -> bool:
    """Does the trigger hang from a noun of wish or aim on its way up to `verb` ("pairing
    ambitious goals for a trade pact")? The pact is sought, not made, as the object of
    "seek" or "want" is."""
    if token.i == verb.i:
        return False
    for tok in token.ancestors:
        if tok.i == verb.i:
            return False
        if _aim_noun(tok):
            return True
    return False


def _aim_noun(token: Token) -> bool:
    return token.pos_ == "NOUN" and token.lemma_.lower() in ASPIRE_NOUNS


def names_a_kind(token: Token) -> bool:
    """A bare plural or mass trigger noun with no word of its own (no determiner,
    possessor, number, modifier or complement), standing as an active verb's subject or a
    preposition's object: it names the kind in general ("Tariffs have strengthened its
    leverage", "the threat of tariffs"), not an occurrence of it. An occurrence is
    imposed, lifted or announced: the object of its verb, or the subject of a passive
    ("Tariffs were imposed on ..."), is left alone. The caller says for which types:
    a bare "talks" or "production" is how news names an occurrence of those."""
    return (
        token.pos_ == "NOUN"
        and token.tag_ in ("NNS", "NN")
        and token.dep_ in ("nsubj", "pobj")
        and all(_describes(child) for child in token.children)
    )


def _describes(child: Token) -> bool:
    """A comma and a non-restrictive relative clause say more about the kind without
    picking out one ("from tariffs, which are paid by people in the U.S.")."""
    if child.dep_ == "punct":
        return True
    left = child.left_edge.i
    return child.dep_ == "relcl" and left > 0 and child.doc[left - 1].text == ","


def is_unsaid(token: Token) -> bool:
    """Whether a statement's verb reports what was not said: negated, on its own verb or
    on the one its infinitive hangs from ("did not criticize", "has not yet announced",
    "never said", "did not want to condemn"), or under a wish or a refusal ("refused to
    criticise", "hopes to announce"). Not the rest of `is_hedged`: a statement's own verb
    is often one `is_hedged` reads as a refusal ("Sudan rejected the demand"), or sits
    under a modal of the clause around it."""
    verb = governing_verb(token)
    if verb is None:
        return False
    return any(_negated(tok) for tok in _own_verbs(verb)) or (
        verb.dep_ == "xcomp" and _wishes_or_refuses(verb.head)
    )


def _own_verbs(verb: Token) -> list[Token]:
    """The verbs a wish, a refusal or a negation on them binds `verb` through: its own, and
    the one its infinitive hangs from ("did not want to sign"), not a coordinated clause's
    ("rejected X and signed Y")."""
    return [verb, verb.head] if verb.dep_ == "xcomp" else [verb]


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _wishes_or_refuses(verb: Token) -> bool:
    """ "seeks", "wants", "refused", "rejected", "ruled out" (not "ruled that")."""
    lemma = verb.lemma_.lower()
    if lemma in ASPIRE_VERBS:
        return True
    return lemma in REFUSE_VERBS and (
        lemma != "rule" or any(c.dep_ == "prt" and c.lower_ == "out" for c in verb.children)
    )


def reported_future(verb: Token, aux: Token) -> bool:
    """ "would" on the trigger's own verb, reported by a past reporting verb: the future of
    reported speech, a stated plan ("the ministry said it would impose export controls
    from August 1"), not a hedge ("could impose", "would be a mistake to impose")."""
    head = verb.head
    return (
        aux.lower_ == "would"
        and verb.dep_ == "ccomp"
        and head.tag_ == "VBD"
        and head.lemma_.lower() in REPORTED_SPEECH_VERBS
    )


def is_question(sent: Span) -> bool:
    """A sentence that ends in a question mark (a closing quote or bracket aside)."""
    for tok in reversed(sent):
        if tok.is_space or tok.text in ('"', "\u201d", "'", "\u2019", ")"):
            continue
        return tok.text == "?"
    return False
