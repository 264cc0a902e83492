"""The channel-free assistant: message -> normalise -> match -> compose reply.

Channels (Telegram, Zalo, web, CLI) call `Assistant.handle` with the text and the stored
`Conversation`, render the `Reply` and store the conversation back. Nothing here knows
about any platform.

Above 500 lines because the answering flow gained everyday intents, handoff hooks, communes and
the matcher's honest limits in parallel branches merged together; the decision rules
(`_decide`, `_honest_limits`) are the part to move next, beside the matcher in `nlu/`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.catalog.loader import Catalog, CatalogError, load_catalog
from assistant.catalog.schema import Commune, Procedure
from assistant.catalog.snapshot import load_or_last_good, save_snapshot
from assistant.catalog.yamlsource import Problem
from assistant.config import Settings
from assistant.dialogue import intents
from assistant.dialogue.actions import candidate_action, parse_action
from assistant.dialogue.communes import CommuneFinder, commune_question, former_district_reply
from assistant.dialogue.compose import Composer
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.intents import EverydayDesk, Intent, IntentHit, detect_intent
from assistant.dialogue.reply import Button, Candidate, Reply, Status
from assistant.dossiers.codes import find_dossier_code, looks_like_code_attempt
from assistant.nlu.asking import asks_yes_no
from assistant.nlu.distinguish import ACTS_ON_ANY_PAPER, ELSEWHERE_BY_FAMILY, Distinguisher, referral, telling
from assistant.nlu.elsewhere import Claim, ElsewhereIndex
from assistant.nlu.facets import Facet, FacetHit, fuzzy_facet, scan_facets
from assistant.nlu.lookalike import LookalikeCheck, Model, load_model
from assistant.nlu.matcher import STOPWORDS, Matcher, Query, Scored, phrase_tokens
from assistant.nlu.prerequisite import after_held_paper, paper_needed_for, prior_step_question
from assistant.nlu.smalltalk import SmallTalk, detect_smalltalk
from assistant.nlu.when import Filing, filing_moment
from assistant.text.lexicon import Lexicon, load_lexicon
from assistant.text.normalize import MAX_INPUT_CHARS, clean, normalize
from assistant.text.spelling import pattern_words
from assistant.workdays import VN_TZ, WorkCalendar

log = logging.getLogger(__name__)

# Decision thresholds on the matcher's 0–100 score (tuned on the dev set, see benchmarks/matching.py).
ANSWER_MIN = 66.0
ANSWER_MARGIN = 8.0
CLARIFY_MIN = 45.0
CLARIFY_WINDOW = 16.0
SUGGEST_MIN = 25.0
LONE_MIN = 60.0  # a lower score still answers when nothing else comes close ...
LONE_MARGIN = 30.0  # ... (typos lower every score; they do not bring a rival closer)
# Families that are mostly why a paper is needed (a bank, a school, an exam): a best candidate this clear,
# which nothing else explaining them comes near, outweighs them (tuning: +162 right, +10 look-alikes;
# every family alike: +281 right, +148 look-alikes). A death told before another matter ("bố mẹ mất rồi,
# bà ngoại đăng ký giám hộ cho cháu ở đâu") is its story too (session 28: +17 right, +3 look-alikes,
# each a survivor's claim on the deceased's social insurance).
STORY_ONLY = frozenset({"commerce", "student", "diploma", "maternity", "planning", "utility", "exam-other", "reorganise", "died"})
STORY_SURE_MIN, STORY_SURE_MARGIN = 80.0, 15.0
# A weak match needs less doubt to be asked about rather than answered: below WEAK_SCORE the look-alike
# check's threshold is at most WEAK_DOUBT. Session 29, on the tuning sets the check was never trained on
# (s21-s28, 44,866 rows): at 0.5, clean, 120 look-alikes and 8 wrong answers become "is it this
# procedure?", and so do 64 right answers (one tap away); phone-typed, 148 and 9 against 83.
# Session 30 lowered it to 0.3 after two judges read 500 answered look-alikes of the tuning sets: about
# 6 in 10 would mislead (the rest are the procedure's own rules, which help). On s21-s30, 0.5 -> 0.3 asks
# about 45 more right answers (clean) and 75 (phone-typed), and stops about 60 and 55 misleading answers.
WEAK_SCORE, WEAK_DOUBT = 70.0, 0.3
EXPLAIN_WINDOW = 20.0  # candidates this close to the best may be offered when they explain the question better
DISTINGUISH_PENALTY = 10.0  # per distinguishing word a runner-up does not explain

_FOLLOW_UP_LEAD = re.compile(r"^(?:the |vay |the thi |ad oi |cho hoi )?(?:con|vay con|the con)\b")
_UNSUBSCRIBE_WORDS = ("huy theo doi", "bo theo doi", "ngung theo doi", "dung theo doi", "thoi theo doi")


class HandoffHook(Protocol):
    """What the core needs from the handoff to a civil servant (assistant.handoff.desk)."""

    def before_turn(self, text: str, normalised: str, conv: Conversation,
                    requester: Requester | None) -> Reply | None: ...
    def after_turn(self, text: str, reply: Reply, conv: Conversation) -> Reply: ...
    def after_feedback(self, rating: int, reply: Reply, conv: Conversation) -> Reply: ...
    def action(self, name: str, conv: Conversation, requester: Requester | None) -> Reply: ...


class DossierService(Protocol):
    """What the core needs from the dossier side (implemented in assistant.dossiers.desk)."""

    def lookup(self, code: str, requester: Requester, now: dt.datetime) -> Reply: ...
    def subscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply: ...
    def unsubscribe(self, code: str, requester: Requester, now: dt.datetime) -> Reply: ...


@dataclass(frozen=True)
class Turn:
    """What happened in one exchange, for listeners (question log, metrics)."""

    text: str
    normalised: str
    reply: Reply
    requester: Requester | None
    at: dt.datetime


Listener = Callable[[Turn], None]
FeedbackSink = Callable[[Requester | None, str | None, str | None, int], None]


@dataclass(frozen=True)
class Brain:
    """Everything derived from one catalogue, swapped as a unit on reload."""

    catalog: Catalog
    matcher: Matcher
    composer: Composer
    calendar: WorkCalendar
    communes: CommuneFinder
    everyday: EverydayDesk
    distinguisher: Distinguisher
    elsewhere: ElsewhereIndex
    lookalike: LookalikeCheck


def _keep_code(raw: str) -> str:
    """`clean(raw)`, but a dossier code in the part of a long message that trimming drops is
    kept (put first): a citizen who pastes a long story around the code still gets the card."""
    text = clean(raw)
    if len(raw) > MAX_INPUT_CHARS and (code := find_dossier_code(raw)) and find_dossier_code(text) != code:
        text = f"{code} {text}"
    return text


class Assistant:
    def __init__(
        self,
        catalog: Catalog,
        settings: Settings | None = None,
        desk: DossierService | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        lookalike: Model | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        # Read once: reloading the catalogue changes what each procedure says, not these weights.
        model = lookalike if lookalike is not None else load_model()
        if self.settings.lookalike_threshold is not None and model.weights:
            model = dataclasses.replace(model, threshold=self.settings.lookalike_threshold)
        self.lookalike_model = model
        self.desk = desk
        self.clock = clock or (lambda: dt.datetime.now(VN_TZ).replace(tzinfo=None))
        self.scoring = "phrase"  # see Matcher: benchmarks swap it to compare scoring methods
        self.listeners: list[Listener] = []
        self.feedback_sink: FeedbackSink | None = None
        self.pick_sink: Callable[[Requester | None, str], None] | None = None
        self.alert_listeners: list[Callable[[str, str], None]] = []  # (what, scope) of a burst; metrics
        self.handoff: HandoffHook | None = None
        self._lock = threading.Lock()
        self.brain = self._build(catalog)
        self.source_dir: Path = Path(catalog.directory)  # what reload() reads (not a fallback copy)
        self.snapshot_dir: Path | None = None  # where good catalogues are kept; None: not kept
        self.refused: list[Problem] = []  # why the catalogue on disk is not the one served (for /healthz)
        self.watcher: object | None = None  # the CatalogWatcher reloading this assistant, if any

    @classmethod
    def from_settings(cls, settings: Settings, desk: DossierService | None = None, *,
                      keep_last_good: bool = False) -> Assistant:
        """The assistant for these settings, from `settings.catalog_dir`.

        `keep_last_good` (the running bot and its workers, not one-off CLI commands): every
        catalogue that loads cleanly, now or on reload, is copied under the data directory, and a
        broken catalogue at start-up is served from that copy (see `assistant.catalog.snapshot`)."""
        directory = Path(settings.catalog_dir)
        if not keep_last_good:
            return cls(load_catalog(directory, settings.locality), settings, desk)
        refused: list[Problem] = []
        catalog = load_or_last_good(directory, settings.locality, Path(settings.data_dir), refused)
        assistant = cls(catalog, settings, desk)
        assistant.refused = refused
        assistant.source_dir = directory
        assistant.snapshot_dir = Path(settings.data_dir)
        return assistant

    def _build(self, catalog: Catalog) -> Brain:
        locality = catalog.locality
        calendar = WorkCalendar(extra_days_off=locality.extra_days_off if locality else ())

        def due(now: dt.datetime, proc: Procedure) -> dt.date | None:
            return calendar.due_date(now, proc.time_limit)

        composer = Composer(catalog, due, self.settings.hotline, self.settings.portal_url)
        everyday = EverydayDesk(locality, self.settings.hotline, self.settings.portal_url)
        communes = CommuneFinder(locality)
        # The corrector must leave the everyday intents' words alone ("hotline" is not "online").
        known = communes.phrases | pattern_words(*(v for v in vars(intents).values() if not callable(v)))
        matcher = Matcher(catalog.procedures.values(), extra_words=known, scoring=self.scoring,
                          lexicon=self.lexicon)
        elsewhere = ElsewhereIndex(catalog.elsewhere, matcher)
        lookalike = LookalikeCheck(matcher.procedures,
                                   list(zip(elsewhere.said, elsewhere.said_pairs, elsewhere.named, strict=True)),
                                   self.lookalike_model, matcher.speller.likeliest)
        return Brain(catalog, matcher, composer, calendar, communes, everyday,
                     Distinguisher(catalog.procedures.values()), elsewhere, lookalike)

    def alert(self, what: str, scope: str) -> None:
        """A burst was throttled (dossier lookups, unknown codes, ratings): tell the listeners."""
        for listener in self.alert_listeners:
            try:
                listener(what, scope)
            except Exception:  # a metric must never cost a citizen their reply
                log.exception("alert listener failed")

    @property
    def catalog(self) -> Catalog:
        return self.brain.catalog

    def reload(self, directory: Path | None = None) -> list[Problem]:
        """Load the catalogue again; on any error keep serving the old one and return the problems."""
        source = directory or self.source_dir
        try:
            catalog = load_catalog(source, self.settings.locality)
            brain = self._build(catalog)
        except CatalogError as exc:
            log.warning("catalogue reload refused: %d problem(s)", len(exc.problems))
            self.refused = list(exc.problems)
            return exc.problems
        except Exception as exc:  # whatever breaks a load (memory, recursion, a bug) keeps the old one
            log.exception("catalogue reload failed; still serving the last good one")
            self.refused = [Problem(Path(source), 1, f"catalogue could not be loaded ({exc.__class__.__name__})")]
            return self.refused
        if self.snapshot_dir is not None:
            save_snapshot(catalog, self.snapshot_dir)
        with self._lock:
            self.brain = brain  # one assignment: in-flight requests keep their old brain
        self.refused = []
        log.info("catalogue reloaded: %d procedures, version %s", len(catalog), catalog.version)
        return []

    # -- entry points ----------------------------------------------------------------------

    def handle(
        self,
        text: str,
        conversation: Conversation | None = None,
        requester: Requester | None = None,
        now: dt.datetime | None = None,
    ) -> Reply:
        conversation = conversation if conversation is not None else Conversation()
        now = now or self.clock()
        text = _keep_code(text if isinstance(text, str) else str(text))
        normalised = normalize(text)
        handoff = self.handoff
        reply = handoff.before_turn(text, normalised, conversation, requester) if handoff else None
        if reply is None:
            reply = self._handle(text, normalised, conversation, requester, now, self.brain)
        if handoff is not None:
            reply = handoff.after_turn(text, reply, conversation)
        conversation.turns += 1
        self._notify(Turn(text, normalised, reply, requester, now))
        return reply

    def handle_action(
        self,
        raw_action: str,
        conversation: Conversation | None = None,
        requester: Requester | None = None,
        now: dt.datetime | None = None,
    ) -> Reply:
        """A button press. Unknown or stale payloads get a polite reply, never an exception."""
        conversation = conversation if conversation is not None else Conversation()
        now = now or self.clock()
        brain = self.brain
        action = parse_action(raw_action)
        if action is None:
            return self._stale(brain)
        if action.kind in ("sub", "unsub"):
            return self._dossier(action.code or "", action.kind, requester, now)
        if action.kind == "handoff":
            if self.handoff is None:
                return Reply(status=Status.smalltalk, text="Chức năng gặp cán bộ chưa được bật ở đây. Bạn vui lòng "
                             f"gọi {self.settings.hotline} hoặc gửi câu hỏi trên {self.settings.portal_url}.")
            return self.handoff.action(action.field or "", conversation, requester)
        if action.kind == "feedback":
            if not conversation.take_rating(action.procedure_id):
                # Not an answer this conversation received, or already rated: nothing is counted.
                return Reply(status=Status.smalltalk, text="Mình đã ghi nhận góp ý cho câu trả lời này rồi. "
                             "Cảm ơn bạn!", data={"feedback": None})
            if self.feedback_sink:
                self.feedback_sink(requester, action.procedure_id, conversation.last_facet, action.rating or 0)
            text = "Cảm ơn bạn đã góp ý!" + ("" if (action.rating or 0) > 0 else
                                              " Mình sẽ chuyển để cán bộ bổ sung câu trả lời tốt hơn.")
            reply = Reply(status=Status.smalltalk, text=text, data={"feedback": action.rating})
            if self.handoff is not None:
                reply = self.handoff.after_feedback(action.rating or 0, reply, conversation)
            return reply
        if action.kind == "field":
            return self.field_procedures(action.field or "")
        proc = brain.catalog.get(action.procedure_id or "")
        if proc is None:
            return self._stale(brain)
        if action.kind == "check":
            proc = brain.catalog.for_commune(proc.id, conversation.commune) or proc
            handed_in = {i for i, _ in proc.checklist}
            ticked = set(conversation.checklist.get(proc.id, [])) & handed_in
            if action.index is not None and action.index in handed_in:
                ticked ^= {action.index}
            conversation.checklist[proc.id] = sorted(ticked)
            conversation.last_procedure = proc.id
            return brain.composer.checklist(proc, sorted(ticked), self._commune(brain, conversation))
        if action.kind == "pick" and self.pick_sink is not None:
            try:  # the citizen chose an option of a clarification: that question is resolved
                self.pick_sink(requester, proc.id)
            except Exception:
                log.exception("pick sink failed")
        facet = action.facet or Facet.overview
        return self._answer(brain, proc, facet, 100.0, [], conversation, now)

    def open_procedure(self, procedure_id: str, conversation: Conversation | None = None,
                       facet: Facet = Facet.overview, now: dt.datetime | None = None) -> Reply:
        """Deep links and QR codes open one procedure directly."""
        conversation = conversation if conversation is not None else Conversation()
        brain = self.brain
        proc = brain.catalog.get(procedure_id)
        if proc is None:
            # A poster printed before the catalogue changed: offer the menu, not a dead end.
            menu = self.field_menu()
            menu.text = ("Mã QR này dẫn tới một thủ tục không còn trong danh mục. " + menu.text)
            return menu
        return self._answer(brain, proc, facet, 100.0, [], conversation, now or self.clock())

    def contact(self, conversation: Conversation | None = None) -> Reply:
        """How to reach the one-stop (Telegram /lienhe): the commune's office when the
        conversation knows the commune, verified values only (see assistant.dialogue.intents)."""
        conversation = conversation if conversation is not None else Conversation()
        brain = self.brain
        conversation.last_intent = Intent.contact.value  # the reply asks for the commune when unknown
        return brain.everyday.contact(IntentHit(Intent.contact, ()), self._commune(brain, conversation))

    def field_menu(self) -> Reply:
        """The fields (lĩnh vực) that have procedures, as buttons."""
        catalog = self.brain.catalog
        buttons = [
            Button(name, f"field:{slug}") for slug, name in catalog.fields.items() if catalog.by_field(slug)
        ]
        text = "Chọn lĩnh vực bạn cần, hoặc nhắn câu hỏi như bạn vẫn nói (có dấu hay không dấu đều được)."
        return Reply(status=Status.smalltalk, text=text, buttons=buttons, data={"menu": "fields"})

    def field_procedures(self, slug: str) -> Reply:
        catalog = self.brain.catalog
        procs = catalog.by_field(slug)
        if not procs:
            return self._stale(self.brain)
        text = f"Các thủ tục lĩnh vực {catalog.fields.get(slug, slug)}:\n" + "\n".join(
            f"• {p.display_name}" for p in procs
        )
        buttons = [Button(p.display_name[:60], candidate_action(p.id, Facet.overview)) for p in procs]
        return Reply(status=Status.smalltalk, text=text, buttons=buttons, data={"menu": slug})

    # -- internals -------------------------------------------------------------------------

    def _notify(self, turn: Turn) -> None:
        for listener in self.listeners:
            try:
                listener(turn)
            except Exception:  # a broken logger must never cost a citizen their answer
                log.exception("turn listener failed")

    def _stale(self, brain: Brain) -> Reply:
        return Reply(
            status=Status.not_found,
            text="Nút bấm này đã cũ hoặc thủ tục không còn trong danh mục. Bạn vui lòng nhắn lại câu hỏi nhé.",
        )

    def _dossier(self, code: str, mode: str, requester: Requester | None, now: dt.datetime) -> Reply:
        if self.desk is None:
            return Reply(
                status=Status.dossier,
                text="Chức năng tra cứu hồ sơ chưa được bật ở đây. Bạn vui lòng tra cứu trên "
                f"{self.settings.portal_url} hoặc gọi {self.settings.hotline}.",
            )
        requester = requester or Requester("cli", "local")
        method = {"lookup": self.desk.lookup, "sub": self.desk.subscribe, "unsub": self.desk.unsubscribe}[mode]
        return method(code, requester, now)

    def _handle(self, text: str, normalised: str, conv: Conversation, requester: Requester | None,
                now: dt.datetime, brain: Brain) -> Reply:
        previous_intent, conv.last_intent = conv.last_intent, None
        code = find_dossier_code(text)
        if code:
            if any(w in normalised for w in _UNSUBSCRIBE_WORDS):
                return self._dossier(code, "unsub", requester, now)
            if "theo doi" in normalised:
                return self._dossier(code, "sub", requester, now)
            return self._dossier(code, "lookup", requester, now)

        if looks_like_code_attempt(text):
            return Reply(
                status=Status.dossier,
                text="Mã hồ sơ có vẻ chưa đủ hoặc chưa đúng. Mã trên phiếu tiếp nhận có dạng "
                     "000.00.10.H32-231116-0001 (mã cơ quan, ngày nhận, số thứ tự). Bạn gửi lại đủ mã giúp mình nhé.",
                data={"dossier": {"partial_code": True}},
            )
        if not normalised.strip():
            return brain.composer.not_found([])
        small = detect_smalltalk(normalised)
        if small is not None:
            return brain.composer.smalltalk(small)

        # Facets, places and procedures are all read from the spelling-corrected text, so a
        # slipped letter changes neither the procedure nor the part of it that was asked.
        corrected = brain.matcher.correct(normalised, text)
        normalised = corrected.text
        hit, spans = _facets(brain, normalised)
        place = brain.communes.find(normalised)
        if place is not None:
            if place.slug:
                conv.commune = place.slug  # remembered for the rest of the conversation
            spans = [*spans, place.span]
        query = brain.matcher.parse(text, spans, corrected)
        if conv.last_procedure and hit.explicit and _FOLLOW_UP_LEAD.match(normalised):
            # "còn lệ phí thì sao?": a leading "còn" (folded to "con", also "child") asks about
            # the procedure under discussion; it is not a word of a new procedure's name.
            lead = _FOLLOW_UP_LEAD.match(normalised).end()
            query = brain.matcher.parse(text, [*spans, (0, lead)], corrected)

        # A number answering our own clarification question.
        if conv.pending_candidates and normalised.strip().isdigit():
            choice = int(normalised.strip()) - 1
            if 0 <= choice < len(conv.pending_candidates):
                proc = brain.catalog.get(conv.pending_candidates[choice])
                if proc:
                    facet = hit.facet if hit.explicit else Facet(conv.last_facet or "overview")
                    return self._answer(brain, proc, facet, 100.0, [], conv, now)

        clause = _question_clause(text)
        if clause is not None:
            # After a story told in one sentence, what is asked is read from its last clauses:
            # "chỉ nghỉ được thứ bảy, ..." tells when the citizen is free (no Saturday-hours
            # question), "mình làm ở công ty ..." is no question about where.
            # Its words are the message's last ones, already corrected (a split or an expanded
            # abbreviation may shift the cut by a word; facet expressions sit at the very end).
            words = normalised.split()
            c_normalised = normalize(clause)
            c_size = min(len(c_normalised.split()), len(words))
            c_text = " ".join(words[-c_size:])
            c_start = len(normalised) - len(c_text)
            if not (hit.explicit and min(start for start, _ in hit.spans) >= c_start):
                # (when the message's own facet phrase lies in the clause, the clause asks the same)
                c_hit = _facets(brain, c_text)[0]
                hit = c_hit if c_hit.explicit else FacetHit(Facet.overview, ())
        intent = detect_intent(normalised if clause is None else c_text)
        if intent is not None:  # "hotline", "tra cứu hồ sơ", "hồ sơ 123456 sao rồi"
            reply = self._everyday(brain, text, intent, spans, conv, follow_up=hit.explicit)
            if reply is not None:
                return reply

        ranked: list[Scored] | None = None
        whole = query
        focus = _question_part(text)
        f_ranked: list[Scored] = []
        if focus is not None:
            # A story before the question: its words dilute the question's. Read the last
            # sentence on its own; keep it when it is enough to answer, or when it matches
            # better than the whole message (which then need not be scored at all).
            f_corrected = brain.matcher.correct(normalize(focus), focus)
            f_hit, f_spans = _facets(brain, f_corrected.text)
            f_query = brain.matcher.parse(focus, f_spans, f_corrected)
            f_ranked = brain.matcher.rank(f_query, limit=6)
            if f_ranked and f_ranked[0].score >= ANSWER_MIN:
                query, ranked = f_query, f_ranked
                hit = f_hit  # the story's own facet words ("giấy tờ này lắm") are not the question's
        if ranked is None:
            ranked = brain.matcher.rank(query, limit=6)
            if f_ranked and f_ranked[0].score >= CLARIFY_MIN and f_ranked[0].score > (ranked[0].score if ranked else 0):
                query, ranked = f_query, f_ranked
                hit = f_hit  # the story's own facet words ("giấy tờ này lắm") are not the question's
        if clause is not None and _undecided(ranked):
            # Still undecided after a story told in one sentence ("mình làm ở công ty bên khu công
            # nghiệp, chỉ nghỉ thứ bảy, thi bằng A1 hết bao nhiêu"): the story's words may pull
            # towards other procedures. The last clauses alone decide, unless the story says
            # something that tells neighbours apart ("bố cháu quốc tịch Hàn, ...").
            # (the story is read corrected: "ly hôm ở hsn quốc" still names a country)
            head = normalised[:c_start]
            if not telling(brain.distinguisher.present(head)):
                c_corrected = brain.matcher.correct(c_normalised, clause)
                c_spans = [*scan_facets(c_corrected.text)[1], *hit.spans]
                c_query = brain.matcher.parse(clause, c_spans, c_corrected)
                c_ranked = brain.matcher.rank(c_query, limit=6, among=[s.id for s in ranked])
                # Only to choose between the whole message's two best: not to find another one.
                if c_ranked and not _undecided(c_ranked) and c_ranked[0].id in {s.id for s in ranked[:2]}:
                    query, ranked = c_query, c_ranked
        top = ranked[0].score if ranked else 0.0

        # "em ở xã Nam Khánh Vĩnh": the citizen answered where they live.
        if place is not None and (query.empty or top < CLARIFY_MIN):
            if place.successors:  # a former district: the commune the citizen picks answers
                locality = brain.catalog.locality
                if previous_intent == Intent.contact:
                    conv.last_intent = Intent.contact.value
                communes = [c for c in (locality.commune(s) for s in place.successors) if c] if locality else []
                return former_district_reply(_district_name(brain, place.district), communes)
            if previous_intent == Intent.contact:  # "Bạn ở xã, phường nào?" asked by the contact reply
                conv.last_intent = Intent.contact.value
                return brain.everyday.contact(IntentHit(Intent.contact, ()), self._commune(brain, conv))
            proc = None if conv.pending_candidates else brain.catalog.get(conv.last_procedure or "")
            if proc is not None:
                facet = hit.facet if hit.explicit else Facet(conv.last_facet or "overview")
                return self._answer(brain, proc, facet, 100.0, [], conv, now, filed=_filed(normalised, now, facet))
            return brain.composer.commune_noted(brain.catalog.locality.commune(place.slug))

        # A follow-up ("còn lệ phí thì sao?") about the procedure we just discussed.
        if conv.last_procedure and hit.explicit and (query.empty or top < CLARIFY_MIN):
            proc = brain.catalog.get(conv.last_procedure)
            if proc:
                return self._answer(brain, proc, hit.facet, 100.0, _cands(ranked), conv, now,
                                    filed=_filed(normalised, now, hit.facet))

        # Narrowing a clarification: the best match is one of the procedures we offered.
        if conv.pending_candidates and ranked and ranked[0].id in conv.pending_candidates and top >= CLARIFY_MIN:
            proc = brain.catalog.get(ranked[0].id)
            if proc:
                facet = hit.facet if hit.explicit else Facet(conv.last_facet or "overview")
                return self._answer(brain, proc, facet, top, _cands(ranked), conv, now, filed=_filed(normalised, now, facet))

        story = (brain.distinguisher.present(whole.masked) - brain.distinguisher.present(query.masked)
                 if query is not whole else frozenset())
        before = _ReplyState.of(conv)
        reply = self._decide(brain, ranked, hit, conv, now, query, story, whole)
        # "... có phải cắt khẩu trước không": the step asked about matched; the matter told before it
        # may be another procedure, which is then offered beside it.
        if reply.status == Status.answer and (head := prior_step_question(normalised)) is not None \
                and (own := self._another_alone(head, reply, now, brain)) is not None:
            pair = [Candidate(proc.id, proc.name, r.score)
                    for r in (own, reply) if (proc := brain.catalog.get(r.procedure_id)) is not None]
            before.restore(conv)
            return _ask_back(brain, conv, hit, pair)
        # "đkkh có cần giấy độc thân không": the paper asked about matched; the matter is the head, and
        # what is asked is its papers.
        if reply.status == Status.answer and (head := paper_needed_for(normalised)) is not None \
                and (own := self._another_alone(head, reply, now, brain)) is not None \
                and (proc := brain.catalog.get(own.procedure_id)) is not None:
            before.restore(conv)
            return self._answer(brain, proc, Facet.documents, own.score or 0.0, reply.candidates, conv, now)
        # "đã có giấy khuyết tật rồi, giờ xin trợ cấp": the paper held matched; the matter is the rest.
        # Answered through the conversation, so the commune's own rule, the commune question and the
        # part asked are kept as for any answer.
        if reply.status == Status.answer and (rest := after_held_paper(normalised)) is not None \
                and (own := self._another_alone(rest, reply, now, brain)) is not None \
                and (proc := brain.catalog.get(own.procedure_id)) is not None:
            facet = Facet(own.facet or Facet.overview.value)  # (`rest` is already normalised text)
            yes_no = facet == Facet.overview and asks_yes_no(rest)
            before.restore(conv)
            return self._answer(brain, proc, facet, own.score, own.candidates, conv, now, yes_no=yes_no,
                                filed=_filed(rest, now, facet))
        return reply

    def _another_alone(self, part: str, reply: Reply, now: dt.datetime, brain: Brain) -> Reply | None:
        """The answer a part of the message gets read on its own, when it names another procedure than
        the whole message's `reply` (the matter told beside a prior step, a paper asked about or held)."""
        own = self._handle(part, normalize(part), Conversation(), None, now, brain)
        return own if own.status == Status.answer and own.procedure_id != reply.procedure_id else None

    def _everyday(self, brain: Brain, text: str, intent: IntentHit, spans: list[tuple[int, int]],
                  conv: Conversation, follow_up: bool = False) -> Reply | None:
        """Answer an everyday intent, unless a weak one is about a procedure: the rest of the
        message confidently names one ("tra cứu lý lịch tư pháp"), or it asks a facet of the
        procedure under discussion ("nộp thứ 7 thì khi nào có?")."""
        if not intent.strong and follow_up and conv.last_procedure:
            return None
        rest = brain.matcher.parse(text, [*spans, *intent.spans])
        ranked = [] if rest.empty else brain.matcher.rank(rest, limit=2)
        top = ranked[0].score if ranked else 0.0
        if not intent.strong and top >= CLARIFY_MIN:  # a procedure may well be meant: match as usual
            return None
        named = top >= ANSWER_MIN and (len(ranked) < 2 or top - ranked[1].score >= ANSWER_MARGIN)
        conv.last_intent = intent.intent.value
        if intent.intent == Intent.dossier_help:
            return brain.everyday.dossier_help(intent)
        proc = (ranked[0].id, ranked[0].name) if named else None
        return brain.everyday.contact(intent, self._commune(brain, conv), proc)

    def _decide(self, brain: Brain, ranked: list[Scored], hit: FacetHit, conv: Conversation,
                now: dt.datetime, query: Query | None = None, story: frozenset[str] = frozenset(),
                whole: Query | None = None) -> Reply:
        whole = whole or query
        rivals = _story_rivals(brain, ranked, query, story) if query is not None and story else []
        if rivals and (meant := _story_qualified(brain, ranked, query, rivals)) is not None:
            proc = brain.catalog.get(meant.id)
            if proc is not None:
                return self._answer_matched(brain, proc, hit, meant.score, ranked, conv, now, whole)
        if rivals:
            # The story names what the best one does not explain ("mẹ em 82 tuổi, không có lương hưu,
            # xin trợ cấp xã hội hằng tháng ở đâu"), and another candidate does, though its name is not
            # the one asked: neither answer is sure, both are worth a tap.
            candidates = [ranked[0], *rivals[:3]]
            return _ask_back(brain, conv, hit, _cands(candidates))
        if query is not None:
            honest = self._honest_limits(brain, ranked, hit, conv, query, now, whole)
            if honest is not None:
                return honest
            ranked = _explained_first(brain, ranked, query)
            # A look-alike far below the best once re-weighed ("trợ cấp người già" and the funeral
            # allowance, which only applies once someone died) is no reason to ask back.
            covering = [s for s in brain.matcher.covering(query, ranked) if s.score >= ranked[0].score - CLARIFY_WINDOW]
            broad = (covering if len(covering) >= 2 else []) or _field_named(brain, ranked, query)
            if broad:
                return _ask_back(brain, conv, hit, _cands(broad[:4]))
        top = ranked[0].score if ranked else 0.0
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if query is not None and top >= CLARIFY_MIN and _only_one_explains(brain, ranked, query):
            # A distinguishing word ("gộp thửa", "nước ngoài") that only the best candidate explains
            # decides between look-alikes even when the scores alone are close.
            proc = brain.catalog.get(ranked[0].id)
            if proc:
                return self._answer_matched(brain, proc, hit, top, ranked, conv, now, whole)
        if (top >= ANSWER_MIN and top - second >= ANSWER_MARGIN) or (top >= LONE_MIN and top - second >= LONE_MARGIN):
            proc = brain.catalog.get(ranked[0].id)
            if proc:
                return self._answer_matched(brain, proc, hit, top, ranked, conv, now, whole)
        if top < ANSWER_MIN and query is not None and _thin(brain, ranked[0].id if ranked else None, query):
            # One shared word ("đất" in "cài đặt máy in") among several unexplained ones is no
            # reason to ask which procedure the citizen means: it is most likely none.
            conv.pending_candidates = []
            return brain.composer.not_found(_cands(_suggestions(ranked)))
        if top >= CLARIFY_MIN and len(ranked) >= 2:
            window = [s for s in ranked if s.score >= max(CLARIFY_MIN * 0.8, top - CLARIFY_WINDOW)][:4]
            if len(window) < 2:
                window = ranked[:2]
            return _ask_back(brain, conv, hit, _cands(window))
        if top >= CLARIFY_MIN and ranked:
            proc = brain.catalog.get(ranked[0].id)
            if proc and top < LONE_MIN:
                # A weak lone candidate ("chiếu" of "tối nay chiếu phim gì" and "hộ chiếu") is asked
                # about, not answered: with a rival as close it would have been a question back too.
                conv.pending_candidates = [proc.id]
                conv.last_facet = hit.facet.value
                return brain.composer.confirm(Candidate(proc.id, proc.name, top), hit.facet)
            if proc:
                return self._answer_matched(brain, proc, hit, top, ranked, conv, now, whole)
        conv.pending_candidates = []
        return brain.composer.not_found(_cands(_suggestions(ranked)))

    def _honest_limits(self, brain: Brain, ranked: list[Scored], hit: FacetHit, conv: Conversation,
                       query: Query, now: dt.datetime, whole: Query | None = None) -> Reply | None:
        """Matters that are not one-stop procedures get who handles them; a question whose
        distinguishing words the best candidate does not explain gets a question back between
        the candidates that do, or a plain "not in the catalogue" (see assistant.nlu.distinguish)."""
        present = brain.distinguisher.present(query.masked)
        top = ranked[0] if ranked else None
        # Words that only became a referral through spelling correction ("tor cao" -> "tố cáo")
        # do not outweigh a catalogue procedure that fits: it was most likely "trợ cấp".
        kind = referral(query.masked)
        if kind is not None and referral(_DOUBLED.sub(r"\1", normalize(query.text))) != kind and top is not None \
                and top.score >= ANSWER_MIN:
            kind = None
        d = brain.distinguisher
        if kind is not None and not (top is not None and top.score >= CLARIFY_MIN and kind in d.referrals.get(top.id, ())
                                     and not d.unexplained(top.id, present) and not d.lacks_defining(top.id, present)):
            # Unless the best candidate's own names use the word and nothing else speaks against
            # it ("ly hôn rồi muốn tách hộ" is household separation).
            conv.pending_candidates = []
            return brain.composer.referral(kind)
        claim = brain.elsewhere.claim(query, ranked)
        if claim is not None and top is not None and _claimed_only_as_purpose(brain, query, top.id):
            claim = None
        if claim is None:
            claim = _family_claim(brain, present)
        if claim is not None:
            # The question names a procedure we know we do not have, and nothing of ours says it all.
            conv.pending_candidates = []
            # An everyday matter (electricity, a bank card) gets who handles it, and another body's procedure
            # where it is done (a passport abroad: the embassy), without look-alike buttons.
            near = [] if claim.handled_by or claim.done_at else _suggestions(ranked)
            return brain.composer.not_in_catalogue(query.text, _cands(near), named=claim.name,
                                                   handled_by=claim.handled_by, done_at=claim.done_at)
        if top is None or top.score < CLARIFY_MIN or not telling(present):
            return None
        missing = brain.distinguisher.unexplained(top.id, present)
        if not missing:
            return None
        window = [s for s in ranked[1:] if s.score >= top.score - EXPLAIN_WINDOW and s.score >= CLARIFY_MIN
                  and not brain.distinguisher.unexplained(s.id, present)]
        top_words = brain.matcher.explained_words(top.id, query)
        # Either its name carries the best one's words, or the best one leaves two or more
        # distinguishing families unexplained ("ly hôn ở Hàn Quốc": foreign and record) and
        # falls below it once it pays the price per family that `_explained_first` charges.
        beaten = top.score - DISTINGUISH_PENALTY * len(missing) if len(missing) >= 2 else 100.0
        sure = [s for s in window if s.score >= LONE_MIN and not brain.distinguisher.lacks_defining(s.id, present)
                and _covers(brain, top.id, s.id, top_words, brain.matcher.explained_words(s.id, query),
                            generic_names=s.score > beaten)]
        # Candidates further down that explain every distinguishing word and lack no defining one.
        explaining = [s for s in ranked[1:] if s.score >= SUGGEST_MIN and not d.unexplained(s.id, present)
                      and not d.lacks_defining(s.id, present)]
        if not window:
            # The qualifier's own words may be missing from every phrase of the procedure that
            # covers it ("người Lào" and "có yếu tố nước ngoài"), which then scores far below: it
            # still is the one meant when its name carries the best one's and nothing else fits.
            sure = [s for s in explaining
                    if _covers(brain, top.id, s.id, top_words, brain.matcher.explained_words(s.id, query), strict=False)]
        if not sure and missing <= ACTS_ON_ANY_PAPER:
            # An act done to the best one's paper ("sao y giấy khai sinh"): the paper is the act's
            # object, so the one procedure that does the act is meant, whatever it scores.
            sure = explaining
        if len(sure) == 1:
            # The only close candidate that explains the distinguishing words, and every word the
            # best one explains: it is the one meant ("khai sinh cho con có bố là người Hàn
            # Quốc" is the foreign-element registration; "tạm vắng" never explains "tạm trú").
            proc = brain.catalog.get(sure[0].id)
            if proc is not None:
                return self._answer_matched(brain, proc, hit, sure[0].score, ranked, conv, now, whole)
        if window:
            candidates = [*window[:3], top]
            return _ask_back(brain, conv, hit, _cands(candidates))
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if (missing <= STORY_ONLY and top.score >= STORY_SURE_MIN and top.score - second >= STORY_SURE_MARGIN
                and not explaining and not d.lacks_defining(top.id, present)):
            # The bank is why the paper is needed ("ngân hàng không nhận thẻ gãy chip, làm lại thẻ hết bao
            # nhiêu"), not the matter, when the question names its procedure this clearly.
            return None
        conv.pending_candidates = []
        return brain.composer.not_in_catalogue(query.text, _cands(_suggestions(ranked)))

    def _answer_matched(self, brain: Brain, proc: Procedure, hit: FacetHit, score: float, ranked: list[Scored],
                        conv: Conversation, now: dt.datetime, whole: Query | None) -> Reply:
        """The answer a question matched, unless what it says besides looks like another matter
        (assistant.nlu.lookalike): then one question back, "is it this procedure?", with the
        way to ask about anything else (after a story, its last sentence is weighed: see
        `lookalike_doubt`)."""
        check, threshold = brain.lookalike, brain.lookalike.model.threshold
        if score < WEAK_SCORE:
            threshold = min(threshold, WEAK_DOUBT)
        if whole is not None and check.enabled and lookalike_doubt(brain, whole, proc.id) >= threshold:
            conv.pending_candidates = [proc.id]
            conv.last_facet = hit.facet.value
            return brain.composer.confirm(Candidate(proc.id, proc.name, score), hit.facet)
        yes_no = whole is not None and hit.facet == Facet.overview and asks_yes_no(whole.normalised)
        filed = _filed(whole.normalised, now, hit.facet) if whole is not None else None
        return self._answer(brain, proc, hit.facet, score, _cands(ranked), conv, now, yes_no=yes_no, filed=filed)

    def _answer(self, brain: Brain, proc: Procedure, facet: Facet, score: float, candidates: list[Candidate],
                conv: Conversation, now: dt.datetime, yes_no: bool = False, filed: Filing | None = None) -> Reply:
        conv.last_procedure = proc.id
        conv.last_facet = facet.value
        conv.pending_candidates = []
        conv.answered(proc.id)
        catalog = brain.catalog
        local = catalog.for_commune(proc.id, conv.commune) or proc
        commune = self._commune(brain, conv)
        if facet == Facet.documents and proc.id in conv.checklist:
            reply = brain.composer.checklist(local, conv.checklist[proc.id], commune)
        else:
            reply = brain.composer.answer(local, facet, score, candidates, now, commune=commune,
                                          local_rule=local is not proc, yes_no=yes_no,
                                          filed=filed)
        if conv.commune is None and not conv.commune_asked:
            question = commune_question(catalog, proc, facet)
            if question:
                conv.commune_asked = True  # asked once per conversation
                reply.text += "\n" + question
                reply.data["ask_commune"] = True
        return reply

    @staticmethod
    def _commune(brain: Brain, conv: Conversation) -> Commune | None:
        locality = brain.catalog.locality
        return locality.commune(conv.commune) if locality else None


@dataclass(frozen=True)
class _ReplyState:
    """What answering changes in a conversation, kept so a decision replaced by a re-reading of
    part of the message (a paper asked about or held, a prior step) leaves no trace: the
    superseded procedure must not be rateable, nor use up the one commune question."""

    last_procedure: str | None
    last_facet: str | None
    pending_candidates: tuple[str, ...]
    rateable: tuple[str, ...]
    commune_asked: bool

    @classmethod
    def of(cls, conv: Conversation) -> _ReplyState:
        return cls(conv.last_procedure, conv.last_facet, tuple(conv.pending_candidates), tuple(conv.rateable),
                   conv.commune_asked)

    def restore(self, conv: Conversation) -> None:
        conv.last_procedure, conv.last_facet, conv.commune_asked = self.last_procedure, self.last_facet, self.commune_asked
        conv.pending_candidates, conv.rateable = list(self.pending_candidates), list(self.rateable)


def _filed(normalised: str, now: dt.datetime, facet: Facet) -> Filing | None:
    """When an appointment date is asked, the moment the question says the dossier goes in."""
    return filing_moment(normalised, now) if facet == Facet.eta else None


def _ask_back(brain: Brain, conv: Conversation, hit: FacetHit, candidates: list[Candidate]) -> Reply:
    """A question back between candidates; a number or a later message picks among them, and the
    part asked (`hit`) is kept for the answer."""
    conv.pending_candidates = [c.id for c in candidates]
    conv.last_facet = hit.facet.value
    return brain.composer.clarify(candidates, hit.facet)


def _suggestions(ranked: list[Scored]) -> list[Scored]:
    """The few candidates worth a button under a "not found" or "not in the catalogue" reply."""
    return [s for s in ranked if s.score >= SUGGEST_MIN][:3]


def _explained_first(brain: Brain, ranked: list[Scored], query: Query) -> list[Scored]:
    """Re-weigh candidates by the words that tell look-alikes apart.

    A candidate that does not explain a distinguishing word of the question, or whose name is
    defined by a qualifier the question never names ("có yếu tố nước ngoài", "cấp lại", "liên
    thông"), loses DISTINGUISH_PENALTY per such gap, so the margin reflects the words that
    actually separate the two. The best candidate itself is handled by `_honest_limits`."""
    if len(ranked) < 2:
        return ranked
    d = brain.distinguisher
    present = d.present(query.masked)
    out = []
    for s in ranked:
        gaps = d.gaps(s.id, present)
        out.append(Scored(s.id, s.name, round(s.score - DISTINGUISH_PENALTY * gaps, 2)) if gaps else s)
    return sorted(out, key=lambda s: -s.score)


_DOUBLED = re.compile(r"([a-z])\1+")
# What a paper is for, up to the end of its clause: "xin CT07 để nộp hồ sơ mua nhà ở xã hội", "trích lục
# khai sinh nộp hồ sơ tuyển sinh lớp 6", "căn cước gãy, đang cần để làm hồ sơ hưởng lương hưu". ("để lại"
# is what was left behind.)
_PURPOSE_CLAUSE = re.compile(r"\b(?:de(?! lai\b)|(?:nop|lam|bo sung|hoan thien) (?:ho so|giay to)|nop cho|nop vao)\b[^,.;?!|]*")


def _family_claim(brain: Brain, present: frozenset[str]) -> Claim | None:
    """The uncovered matter a family names when no procedure of ours explains it ("đang ở Hàn, hộ chiếu
    sắp hết hạn": the passport issued abroad), if the uncovered list still has it."""
    families = sorted(present & ELSEWHERE_BY_FAMILY.keys())
    if not families:  # (most messages: no need to list the uncovered names)
        return None
    entries = {entry.name: entry for entry in brain.catalog.elsewhere}
    return next((Claim(entry.name, entry.handled_by, entry.done_at) for f in families
                 if (entry := entries.get(ELSEWHERE_BY_FAMILY[f])) is not None), None)


def _claimed_only_as_purpose(brain: Brain, query: Query, best: str) -> bool:
    """The uncovered procedure the question names is only what the paper is for: without that
    clause the question names none, and our best candidate is still best and sure."""
    stripped = _PURPOSE_CLAUSE.sub(" ", query.normalised)
    if stripped == query.normalised:
        return False
    rest = brain.matcher.parse(stripped)
    ranked = brain.matcher.rank(rest, limit=6)
    return bool(ranked) and ranked[0].id == best and ranked[0].score >= ANSWER_MIN \
        and brain.elsewhere.claim(rest, ranked) is None


_SENTENCE_END = re.compile(r"[.!?;\n]+")
STORY_MIN_WORDS = 16  # shorter messages are read whole


CLAUSE_MIN_WORDS = 5  # a trailing clause shorter than this is read with the one before it


def lookalike_doubt(brain: Brain, whole: Query, procedure_id: str,
                    doubt: Callable[[Query, str], float] | None = None) -> float:
    """The look-alike check's doubt (0..1) about answering a message with the procedure.

    A story told before the question ("hôm qua em lên phường hỏi thì đông quá, ...") is many
    words the procedure never says, and no evidence either way: only the last sentence, where
    citizens put the question, is weighed. A story that happens to use the procedure's words does
    not vouch for a question about something else, and one full of other words does not make a
    question about the procedure doubtful. Unless the story names what tells neighbours apart and
    the procedure does not explain it ("vợ tôi người Lào sang thăm. Khai báo tạm trú cho vợ ở
    đâu?"): then the whole message is weighed. `doubt` scores one query (benchmarks pass another
    model's)."""
    doubt = doubt or brain.lookalike.doubt
    part = _question_part(whole.text)
    if part is None:
        return doubt(whole, procedure_id)
    question = brain.matcher.parse(part)
    d = brain.distinguisher
    if d.unexplained(procedure_id, d.present(whole.masked) - d.present(question.masked)):
        return doubt(whole, procedure_id)
    return doubt(question, procedure_id)


def _question_part(text: str) -> str | None:
    """The last sentence of a long message (where citizens put the question), or None."""
    if len(text.split()) < STORY_MIN_WORDS:
        return None
    parts = [p.strip() for p in _SENTENCE_END.split(text) if len(p.split()) >= 2]
    return parts[-1] if len(parts) >= 2 else None


def _facets(brain: Brain, normalised: str) -> tuple[FacetHit, list[tuple[int, int]]]:
    """The facet a (corrected) text asks for, and the spans of its facet expressions: exact
    expressions first, then expressions typed with a slip (which then add their own spans)."""
    hit, spans = scan_facets(normalised)
    if not hit.explicit:
        hit = fuzzy_facet(normalised, brain.matcher.vocabulary, brain.matcher.pairs) or hit
        spans = [*spans, *hit.spans]
    return hit, spans


def _undecided(ranked: list[Scored]) -> bool:
    """No procedure stands out enough to be answered on scores alone."""
    if not ranked or ranked[0].score < ANSWER_MIN:
        return True
    return len(ranked) > 1 and ranked[0].score - ranked[1].score < ANSWER_MARGIN


def _question_clause(text: str) -> str | None:
    """The last clauses of a long sentence, where the question is asked, or None.

    A story told in one long sentence ("mình làm ở công ty bên khu công nghiệp, chỉ nghỉ được
    sáng thứ bảy, làm sổ đỏ lần đầu thế nào") asks what it asks at its end: the facet and the
    everyday intent are read from there. The procedure is still matched on everything, since
    the story often carries what tells neighbours apart ("bố cháu quốc tịch Hàn, ...")."""
    last = (_question_part(text) or text).strip()
    if len(last.split()) < STORY_MIN_WORDS:
        return None
    clauses = [c.strip() for c in last.split(",") if c.strip()]
    tail: list[str] = []
    while clauses and sum(len(c.split()) for c in tail) < CLAUSE_MIN_WORDS:
        tail.insert(0, clauses.pop())
    return ", ".join(tail) if clauses else None


def _district_name(brain: Brain, folded: str) -> str:
    """The former district's name with its diacritics, taken from its successor commune that
    kept it ("khanh vinh" -> "Khánh Vĩnh")."""
    locality = brain.catalog.locality
    for commune in locality.communes if locality else []:
        bare = commune.name.split(" ", 1)[1] if " " in commune.name else commune.name
        if normalize(bare) == folded:
            return bare
    return folded.title()


_GENERIC = frozenset("dang ky thu tuc lam cac ve linh vuc giay to".split())


def _field_named(brain: Brain, ranked: list[Scored], query: Query) -> list[Scored]:
    """A question that only names a field ("đăng ký cư trú", "thủ tục đất đai"): the field's
    procedures, best ranked first, to ask between; empty otherwise."""
    # Filler words drop out, except those the catalogue itself uses ("bản sao" stays).
    words = {t for t in query.content if t not in _GENERIC
             and (t not in STOPWORDS or t in brain.matcher.vocabulary)}
    if not words or len(words) > 3:
        return []
    catalog = brain.catalog
    for slug, name in catalog.fields.items():
        if words <= set(normalize(name).split()):
            procs = catalog.by_field(slug)
            if len(procs) < 2:
                return []
            order = {s.id: n for n, s in enumerate(ranked)}
            chosen = sorted(procs, key=lambda p: (order.get(p.id, len(order)), p.name))[:4]
            scores = {s.id: s.score for s in ranked}
            return [Scored(p.id, p.display_name, scores.get(p.id, 0.0)) for p in chosen]
    return []


_WHO = frozenset("be con chau em tre ong ba bo me vo chong".split())


def _name_words(brain: Brain, procedure_id: str) -> set[str]:
    proc = brain.catalog.get(procedure_id)
    return set(phrase_tokens(proc.name)) | set(phrase_tokens(proc.short_name or "")) if proc else set()


def _covers(brain: Brain, top_id: str, other_id: str, top_words: set[str], words: set[str],
            strict: bool = True, generic_names: bool = False) -> bool:
    """A candidate's own name carries every question word of the best one's name ("đăng ký khai
    sinh" is inside "đăng ký khai sinh có yếu tố nước ngoài", "tạm trú" is not inside "khai báo
    tạm vắng"), it explains all but a third of the weight of the other words the best one
    explains ("bé" is only an alias of the plain birth registration), and more besides."""
    idf = brain.matcher.idf
    top_words = top_words - _WHO  # "bé", "con": who it is for says nothing about which procedure
    # `generic_names`: "đăng ký" need not be in the other's name (the foreign-divorce record's
    # name never says it), once the distinguishing words already rank it above the best one.
    if (top_words & _name_words(brain, top_id)) - _name_words(brain, other_id) - (_GENERIC if generic_names else set()):
        return False
    named = top_words & _name_words(brain, top_id)
    if not strict:  # only the name matters, and it must name more than "đăng ký"
        return len(named - _GENERIC) >= 2
    missed = top_words - words - (_GENERIC if generic_names else set())
    # (math.fsum: a sum over a set must not depend on the order the hash seed gives it, or a
    # comparison at equality decides differently in another process)
    top = math.fsum(idf.get(w, 0.0) for w in top_words)
    return math.fsum(idf.get(w, 0.0) for w in missed) <= top / 3 and math.fsum(idf.get(w, 0.0) for w in words) >= top


def _story_qualified(brain: Brain, ranked: list[Scored], query: Query, rivals: list[Scored]) -> Scored | None:
    """A qualifier told in the story before the question ("chồng em là người Hàn Quốc ... giờ
    muốn đăng ký kết hôn"): the one close candidate that explains it (of `_story_rivals`), and the
    best one's words, is the procedure meant. Story words never push a question towards "not found"."""
    top = ranked[0]
    top_words = brain.matcher.explained_words(top.id, query)
    # The question part names only the plain procedure, so the qualified one may score far
    # below it: its name must carry the best one's name words (as in `_honest_limits`).
    fits = [s for s in rivals
            if _covers(brain, top.id, s.id, top_words, brain.matcher.explained_words(s.id, query), strict=False)]
    return fits[0] if len(fits) == 1 else None


def _story_rivals(brain: Brain, ranked: list[Scored], query: Query, story: frozenset[str]) -> list[Scored]:
    """The candidates that explain what the story names and the best one does not."""
    if not ranked or ranked[0].score < CLARIFY_MIN:
        return []
    d = brain.distinguisher
    whole = d.present(query.masked) | story
    if not d.unexplained(ranked[0].id, whole) & story:
        return []
    return [s for s in ranked[1:] if s.score >= SUGGEST_MIN and not d.unexplained(s.id, whole)
            and not d.lacks_defining(s.id, whole)]


def _only_one_explains(brain: Brain, ranked: list[Scored], query: Query) -> bool:
    """The question names a distinguishing word that the best candidate explains and no close
    runner-up does."""
    d = brain.distinguisher
    present = d.present(query.masked)
    if not telling(present) or d.unexplained(ranked[0].id, present) or d.lacks_defining(ranked[0].id, present):
        return False
    rivals = [s for s in ranked[1:] if s.score >= CLARIFY_MIN * 0.8]
    return all(d.unexplained(s.id, present) for s in rivals)


def _thin(brain: Brain, procedure_id: str | None, query: Query) -> bool:
    """The best candidate explains a single word of a question that has at least three."""
    if procedure_id is None:
        return False
    content = [t for t in dict.fromkeys(query.content) if t not in STOPWORDS]
    explained = brain.matcher.explained_words(procedure_id, query)
    return len(content) >= 3 and len(explained) <= 1


def _cands(ranked: list[Scored]) -> list[Candidate]:
    return [Candidate(s.id, s.name, s.score) for s in ranked]


__all__ = ["Assistant", "Brain", "DossierService", "SmallTalk", "Turn"]
