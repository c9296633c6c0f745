"""The newswatch_events component: typed events with evidence, date and participants.

Triggers from data/event_triggers.tsv propose an event type in a sentence;
event_rules checks the parse (subject, hedging, commodity); event_actors supplies
the participants and minerals the sibling components found in that sentence;
event_dates picks and resolves the date expression that dates the trigger.
Repeated reports of the same occurrence in one article are merged into one record
(event_candidates; spec: one record per real-world occurrence), keeping the first -
usually the fullest - sentence.
"""

from __future__ import annotations

import bisect
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors import event_rules as rules
from extractors.datelines import lead_offset
from extractors.dates import anchor_date
from extractors.doc_bounds import ents_within, is_heading, per_doc, sentence_of
from extractors.docs import body_offset
from extractors.event_actors import (
    Actor,
    ActorIndex,
    bare_quote,
    build_index,
    clause_actors,
    own_actor,
    participants,
)
from extractors.event_candidates import (
    Candidate,
    merge,
    named_mentions,
    pick_main,
    second_events,
)
from extractors.event_dates import date_event, own_date, tells_history
from extractors.event_moods import is_hedged, is_unsaid, names_a_kind
from extractors.event_sources import (
    attributed_to_nonspeaker,
    describes_a_speaker,
    inside_quote,
    quoted_from_nonpublic,
    recounts_dated_happening,
    reported_by_nonspeaker,
    reports_a_statistic,
    states_a_position,
)
from extractors.records import Event, to_plain
from extractors.settings import EventsSettings, defaults

# Reporting verbs: everywhere in news, a statement only from a public speaker.
WEAK_VERBS = tuple(rules.EVENT_WORDS["reporting_verb"])
# Verbs that report a happening: "Sweden announced sanctions" logs the sanctions.
ANNOUNCING = tuple(rules.EVENT_WORDS["announcing_verb"])
# A day on either kind of verb dates what it reports (event_dates.dates_other_trigger).
REPORTING = rules.REPORTED_SPEECH_VERBS
# Commodity words that name the same market, for merging repeated price reports.
COMMODITY_ALIASES = rules.EVENT_WORDS["commodity_alias"]
# Events that need no named participant: a price or an output can move by itself.
UNMANNED_TYPES = frozenset({"price", "supply"})


@Language.factory(
    "newswatch_events",
    assigns=["doc._.nw_events"],
    # what the rules read: the parse, NER, and the sibling components' mentions
    requires=[
        "doc.ents", "doc.sents", "token.dep", "token.lemma", "token.tag", "token.ent_type",
        "doc._.nw_countries", "doc._.nw_minerals", "doc._.nw_organizations",
        "doc._.nw_officials",
    ],
    default_config=defaults(EventsSettings),
)  # fmt: skip
def make_component(nlp: Language, name: str, triggers_path: str, ner_fallback: bool) -> Component:
    path = Path(triggers_path) if triggers_path else rules.DEFAULT_TRIGGERS
    return Component(nlp, path, ner_fallback)


class Component:
    def __init__(self, nlp: Language, triggers_path: Path, ner_fallback: bool = True) -> None:
        self.lexicon = rules.load_lexicon(triggers_path)
        self.matcher = rules.build_matcher(nlp, self.lexicon)
        self.ner_fallback = ner_fallback

    def __call__(self, doc: Doc) -> Doc:
        if doc._.nw_in_scope is False:  # newswatch_relevance: not about trade, minerals...
            doc._.nw_events = []
            return doc
        meta: dict[str, Any] = doc._.nw_meta or {}
        body_char = body_offset(doc)
        anchor = anchor_date(meta.get("published"), meta.get("dateline"), doc.text[body_char:])
        office_words = self.lexicon.words.get("officeword", frozenset())
        index = build_index(doc, self.ner_fallback, office_words)
        commodity_tokens: set[int] = set()
        hits: list[tuple[rules.Trigger, Token]] = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key == "lexicon:commodity":
                commodity_tokens.update(range(start, end))
            trig = self.lexicon.triggers.get(key)
            if trig and rules.pos_ok(doc[end - 1], trig.pos):
                hits.append((trig, doc[end - 1]))
        triggers = {token.i for _, token in hits}
        by_sentence: dict[int, list[Candidate]] = {}
        lead = lead_offset(doc.text, body_char)
        body_start = next((t.i for t in doc if t.idx >= lead), len(doc))
        for trig, token in hits:
            if token.i < body_start:
                continue  # the headline repeats the lead, in headline grammar
            sent = sentence_of(token)
            if sent.start < body_start:  # the parser ran the headline into the lead
                sent = doc[body_start : sent.end]
            elif is_heading(sent):
                continue  # a subhead repeats its paragraph, in headline grammar
            cand = self._candidate(trig, token, sent, index, commodity_tokens, anchor, triggers)
            if cand is not None:
                by_sentence.setdefault(sent.start, []).append(cand)
        candidates = []
        for k in sorted(by_sentence):
            main = pick_main(by_sentence[k])
            # "The ministerial was hosted by ...": a verb trigger about "the ministerial"
            # reports the same meeting again
            main.anaphoric = main.anaphoric or any(
                c.anaphoric
                and c.event.type == main.event.type
                and c.trigger_head_i == main.trigger_i
                and c.trigger_i != main.trigger_i
                for c in by_sentence[k]
            )
            candidates.append(main)
            split = second_events(by_sentence[k], main)
            candidates.extend(split)
            rest = [c for c in by_sentence[k] if c not in split]
            candidates.extend(named_mentions(rest, main))
        for order, cand in enumerate(candidates):
            cand.order = order
        # who took part is what an analyst queries an event by: one with no named
        # official, body or country is no loggable occurrence, unless a commodity's
        # price or output moved (its minerals name it)
        events = [e for e in merge(candidates) if e.participants or e.type in UNMANNED_TYPES]
        doc._.nw_events = [to_plain(e) for e in events]
        return doc

    def _candidate(
        self,
        trig: rules.Trigger,
        token: Token,
        sent: Span,
        index: ActorIndex,
        commodity_tokens: set[int],
        anchor: date | None,
        triggers: set[int],
    ) -> Candidate | None:
        words = self.lexicon.words
        commodity = words.get("commodity", frozenset())
        etype = rules.specific_check(trig, token, commodity, self.lexicon.gatherings)
        nonspeakers = words["nonspeaker"]
        if (
            etype is None
            or attributed_to_nonspeaker(sent, token, nonspeakers)
            or reported_by_nonspeaker(token, nonspeakers)
            or describes_a_speaker(token)
        ):
            # not an event, or only an analyst's or a source's word for it, or a
            # description of who speaks ("said X, who heads a group that ...")
            return None
        if tells_history(sent, anchor):
            return None  # every time it names lies years back: background, not news
        actors = index.actors_in(sent.start_char, sent.end_char)
        public = {a.start for a in actors if a.public}
        if trig.guard != "speaker" and quoted_from_nonpublic(sent, token, public):
            return None  # a private person's words
        minerals = index.minerals_in(sent.start_char, sent.end_char)
        # Sorted once per doc: a commodity token in the sentence is a bisection away.
        ordered = per_doc(sent.doc, "events.commodity_tokens", lambda: sorted(commodity_tokens))
        in_sentence = bisect.bisect_left(ordered, sent.end) - bisect.bisect_left(
            ordered, sent.start
        )
        has_commodity = bool(minerals) or in_sentence > 0
        keys: set[str] = set()
        if trig.guard == "speaker":
            if is_unsaid(token):
                return None  # "did not criticize", "refused to condemn": no statement made
            speaker = self._speaker(token, index, trig.pattern in WEAK_VERBS)
            if not speaker:
                return None
            if trig.pattern in WEAK_VERBS and (
                bare_quote(sent, token, speaker, index) or reports_a_statistic(token, sent.start)
            ):
                return None  # a remark, or a data release: no position on policy
            keys = {speaker[0].canonical}
            # the issuer first, then whom the statement is aimed at or about
            actors = speaker + [a for a in actors if a not in speaker]
        elif is_hedged(token) or not self._guard_holds(
            trig.guard, token, sent, actors, has_commodity, index
        ):
            return None
        elif etype == "investment" and not (
            has_commodity
            or any(a.public for a in actors)
            or any(e.label_ in ("MONEY", "PERCENT") for e in ents_within(sent))
        ):
            # a deal an analyst logs is about a commodity, has a public party, or states
            # its size ("$6.7 billion", "a 28 pct interest"); "Google sells the games" and
            # "a series of investments by the lodge's owner" are neither
            return None
        elif etype == "meeting" and (
            inside_quote(sent, token) or not any(a.public for a in clause_actors(token, actors))
        ):
            # a meeting an analyst logs has an official, a state or a public body in the
            # clause that reports it, not only companies or private people ("Murray will
            # meet Dimitrov"), nor one elsewhere in the sentence ("Australia said it was
            # one of the best meetings"); a meeting word inside a quote is the speaker's
            return None
        evidence = sent.text.strip()
        lead = len(sent.text) - len(sent.text.lstrip())
        names = participants(actors)
        if not keys:
            specific = [a.canonical for a in actors if a.kind != "country"]
            keys = set(specific or names)
        if etype == "price" or not keys:
            keys = set(minerals) or {
                COMMODITY_ALIASES.get(t.lemma_.lower(), t.lemma_.lower())
                for t in sent
                if t.i in commodity_tokens
            }
        event = Event(
            type=etype,
            evidence=evidence,
            evidence_start=sent.start_char + lead,
            evidence_end=sent.start_char + lead + len(evidence),
            name=rules.event_name(token)
            if etype in ("meeting", "agreement", "statement")
            else None,
            location=rules.event_location(sent, token),
            participants=names,
            minerals=minerals,
        )
        date_event(event, sent, token, anchor, triggers, REPORTING)
        if (
            etype == "trade_measure"
            and " " not in trig.pattern  # a phrase's last word is not its head
            and event.date_text is None
            and names_a_kind(token)
        ):
            # "Tariffs have strengthened its leverage", "the threat of tariffs": the
            # instrument in general, as policy writing names it, not one imposed; a time
            # of its own ("Tariffs took effect on Monday") makes it one
            return None
        depth = len(list(token.ancestors))
        reported = trig.pattern in WEAK_VERBS or trig.pattern in ANNOUNCING
        cand = Candidate(
            event, keys, 0, depth, reported, rules.is_anaphoric(token, bool(event.name))
        )
        cand.trigger_i, cand.trigger_head_i = token.i, token.head.i
        cand.trigger_dep = token.dep_
        cand.own_date = own_date(token) and event.date is not None
        cand.own_actor = own_actor(token, actors)
        name_span = rules.event_name_span(token) if etype == "meeting" else None
        if name_span is not None:
            scope = rules.mention_scope(token)
            cand.mention_location = event.location or rules.named_location(sent, name_span)
            cand.mention_participants = participants(
                index.actors_in(scope.start_char, scope.end_char)
            )
        return cand

    def _guard_holds(
        self,
        guard: str,
        token: Token,
        sent: Span,
        actors: list[Actor],
        has_commodity: bool,
        index: ActorIndex,
    ) -> bool:
        """Whether the sentence holds what the trigger's guard asks for (see the tsv header)."""
        words = self.lexicon.words
        commodity = words.get("commodity", frozenset())
        if guard == "actor":
            return bool(actors)
        if guard == "commodity":
            return has_commodity
        if guard == "trade":
            return has_commodity or bool(rules.lemmas(sent) & words.get("trade", frozenset()))
        if guard == "trade_object":
            trade = words.get("trade", frozenset())
            return bool(actors) and any(
                c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in trade
                for c in token.children
            )
        if guard == "business":
            return (
                has_commodity
                or bool(rules.lemmas(sent) & words.get("business", frozenset()))
                or any(a.org_kind == "company" for a in actors)
            )
        if guard == "subject_commodity":
            subj = rules.subject_span(token)
            objs = [
                token.doc[c.left_edge.i : c.right_edge.i + 1]
                for c in token.children
                if c.dep_ == "dobj"
            ]
            # "Shares in gold miner X surged": a security moves, not gold; "added 12 metals
            # companies to its sanctions list": a business is no commodity's price
            security = words.get("security", frozenset()) | words.get("business", frozenset())
            spans = [
                s for s in (subj, *objs) if s is not None and not rules.lemmas([s.root]) & security
            ]
            # "copper fell", "lowers its copper price"; "Apple dropped prices" moves no
            # commodity's price: a bare "price" counts only with a commodity in the sentence
            return any(
                rules.lemmas(s) & commodity
                or index.minerals_in(s.start_char, s.end_char)
                or ("price" in rules.lemmas(s) and has_commodity)
                for s in spans
            )
        return True

    def _holder_named_before(self, subj: Span, index: ActorIndex) -> list[Actor]:
        """ "In a statement, the minister said": a subject that is only "the" and an
        office ("the minister", "the prime minister") speaks for the official of that
        office the article named last before it; [] when it names more (a name, a
        country, a plural) or no such official was named."""
        root = subj.root
        rest = [t for t in subj if t.i != root.i]
        if root.tag_ != "NN" or not rest or rest[0].lower_ != "the":
            return []
        if any(t.pos_ not in ("DET", "NOUN", "ADJ") or t.ent_type_ for t in rest[1:]):
            return []
        title = {root.lemma_.lower(), *(t.lower_ for t in rest[1:])}
        holder = index.holder_before(root.lemma_.lower(), title, subj.start_char)
        return [holder] if holder is not None else []

    def _speaker(self, token: Token, index: ActorIndex, weak_verb: bool) -> list[Actor]:
        """Who issues the statement; [] when it is no official, public body or country.

        A plain "said" is everywhere in news, so it needs a public speaker; strong
        verbs (welcome, warn, condemn) accept any named organisation.
        """
        subj = rules.subject_span(token)
        if subj is None:
            return []
        words = rules.lemmas(subj)
        if words & self.lexicon.words.get("nonspeaker", frozenset()):
            return []
        found = index.actors_in(subj.start_char, subj.end_char)
        titled = bool(words & self.lexicon.words.get("officeword", frozenset()))
        root = subj.root
        official = any(a.kind == "official" and a.start <= root.idx < a.end for a in found)
        private = root.ent_type_ == "PERSON" and not official
        person = root.ent_type_ == "PERSON" or official
        if (
            weak_verb
            and not states_a_position(token, rules.ASPIRE_VERBS)
            and ((person and not titled) or recounts_dated_happening(token))
        ):
            # a plain "said" that takes no position ("would", "should", "wants"): from a
            # person named without an office, a remark or an account of events ("the
            # minister said" speaks for an office); from anyone, an account of what
            # happened when
            return []
        if not found and titled:
            found = self._holder_named_before(subj, index)
        if (root.pos_ == "NOUN" and not titled) or private:
            # "The US company said", "Indian exporters warned", "Nick Kaufman, a British
            # lawyer, said": the country only describes the one who speaks, no public body
            found = [a for a in found if a.kind != "country"]
        if weak_verb and not titled:
            found = [a for a in found if a.public and (a.confirmed or a.kind != "official")]
        else:  # a formal position is issued by an official or a public body, not a company
            found = [a for a in found if a.public]
        if found:
            # the most specific actor speaks: an official over an org over a country
            rank = {"official": 0, "org": 1, "country": 2}
            return sorted(found, key=lambda a: rank[a.kind])
        return []
