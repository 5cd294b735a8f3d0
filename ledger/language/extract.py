"""Article text → candidate forecasts: who said what would happen, how sure, by when.

A rule-based reader, no model download: split the text into sentences; keep those with a
forecast cue (probability words such as "likely" or "a high probability", forecast verbs
such as "expected to", "predicted", "forecast to", a firm "will" in quoted or reported
speech, and possibility words only where they warn of something or carry a time frame);
drop look-alikes (questions, conditionals, schedules, plans, first-person intentions);
attribute each to its speaker ("X said", "according to X", "he said" → the last person
named, a passive forecast → the agency named just before, else the outlet); read the
probability and time words with the project's own parsers. docs/extraction.md says how
well it does on the labelled development set.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger.errors import LedgerError
from ledger.language.probability import parse_probability
from ledger.language.timeframe import parse_deadline

MAX_TEXT = 2_000_000

# --- sentences -----------------------------------------------------------------------

ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Col", "Lt", "Sgt",
                 "St", "Jr", "Sr", "No", "Inc", "Corp", "Ltd", "Co", "vs", "etc", "Jan", "Feb", "Mar",
                 "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mt", "Ft", "U.S", "U.K",
                 "U.N", "a.m", "p.m", "e.g", "i.e", "approx")
_ABBR = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")\.$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph number, sentence) pairs; a short first line without a full stop is a headline.

    A later paragraph that is only a name ("Bill Hammons") is kept as a sentence of its
    own: it introduces who speaks in the paragraphs after it.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    found: list[tuple[int, str]] = []
    for number, paragraph in enumerate(paragraphs):
        paragraph = " ".join(paragraph.split())
        if number == 0 and len(paragraphs) > 1 and not re.search(r"[.!?\"”]$", paragraph):
            continue  # the headline
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            piece = paragraph[start:match.start()].rstrip()
            if _ABBR.search(piece.rstrip("\"'”’)]")) or re.search(r"\b[A-Z]\.$", piece):
                continue
            found.append((number, paragraph[start:match.end()].strip()))
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            found.append((number, tail))
    return found


# --- cues ------------------------------------------------------------------------------

STRONG_VERBS = re.compile(
    r"\b(?:(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?:expected|forecast|forecasted|predicted|projected|"
    r"anticipated|set|poised|likely|unlikely|on\s+track|on\s+course|due)\s+to\b"
    r"|(?:expected|forecast|anticipated|projected)\s+to\s+\w+"
    r"|expected\s+(?:in|by|on|to|within|later|next|this)\b"
    r"|\b(?:predict|predicts|predicted|forecasts?|expects?|expected|anticipates?|anticipated)\b"
    r"(?!\s+(?:by|that\s+the\s+law))"
    r"|would\s+likely|will\s+likely|will\s+probably|would\s+probably)",
    re.IGNORECASE)
GRADED = re.compile(
    r"\b(?:likely|unlikely|probable|probably|improbable|likelihood|high\s+probability|low\s+probability|"
    r"chances?\b|odds\b|doubt\w*|skeptic\w*|sceptic\w*|don't\s+think|do\s+not\s+think|doesn't\s+think|"
    r"does\s+not\s+think|certain(?:ly)?\b|almost\s+certainly|inevitabl\w+|toss-up|slim|remote\s+chance|"
    r"highly\s+possible|(?:is|was|are|were)\s+(?:near|imminent|impending)\b(?!\s+\d)|impending|imminent|"
    r"\d+\s*(?:%|percent)\s+(?:chance|probability|likely|likelihood))",
    re.IGNORECASE)
WEAK = re.compile(r"\b(?:(?P<modal>may|might|could)\s+(?:well\s+|soon\s+|also\s+|still\s+)?(?:be\s+)?[a-z]+"
                  r"|possible|possibility|potential|possibly|[Pp]erhaps)\b")
WARNING = re.compile(r"\bwarn(?:ed|s|ing)?\s+(?:of\s+|that\s+|about\s+)?", re.IGNORECASE)
FIRM = re.compile(r"(?<!the )(?<!free )(?<!political )(?<!own )\b(?:will|won't|will\s+not|is\s+going\s+to|"
                  r"are\s+going\s+to)\s+(?!of\b|be\s+done\b)[a-z]+", re.IGNORECASE)
FUTURE = re.compile(
    r"\b(?:will|won't|would|shall|going\s+to|to\s+(?!the\b|a\b|an\b|its\b|their\b|his\b|her\b)[a-z]+|next|tomorrow|"
    r"coming|soon|upcoming|later|future|ahead|by\s+(?:the\s+end|\w+day|next|early|late|mid)|within|"
    r"this\s+(?:week|month|year|summer|fall|autumn|winter|spring|quarter)|again|impending|imminent|near)\b",
    re.IGNORECASE)

SKIP = [
    (re.compile(r"\?[\"'”’]*$"), "a question"),
    (re.compile(r"(?<!even )\b(?:if|unless|whether|or\s+else|otherwise|provided\s+that|in\s+case)\b", re.IGNORECASE),
     "a conditional"),
    (re.compile(r"\b(?:is|are|was|were)\s+(?:scheduled|slated|due|planned)\s+to\b|\bplans?\s+to\b|\bintends?\s+to\b|"
                r"\bis\s+to\s+\w+|\bapplies?\s+from\b|\bstarts?\s+at\b|\beffective\b", re.IGNORECASE),
     "a schedule or a plan"),
    (re.compile(r"\b(?:I|[Ww]e)\s+(?:\w+\s+){0,2}?(?:will|won't|shall|am\s+going\s+to|are\s+going\s+to)\b|"
                r"\b(?:I'll|[Ww]e'll|I'm\s+(?:not\s+)?gonna|[Ww]e're\s+(?:not\s+)?gonna)\b"), "a first-person intention"),
    (re.compile(r"\b(?:hopes?|hoped|wants?|wanted|urges?|urged|demands?\s+that|demanded|should|must|needs?\s+to)\b",
                re.IGNORECASE), "a hope or demand"),
    (re.compile(r"\b(?:wonder(?:s|ed)?|asked|asks)\s+(?:how|whether|if|why|what)\b", re.IGNORECASE), "a question"),
]

SPEECH = (r"said|says|say|told|tells|added|adds|stated|states|warned|warns|noted|notes|predicted|predicts|"
          r"expects|expected|anticipates|anticipated|claimed|claims|believes|believe|thinks|think|forecast|"
          r"forecasts|reported|reports|estimated|estimates|argued|argues|wrote|writes|explained|cautioned|"
          r"insisted|suggested|remarked|announced|projected|projects|maintained|acknowledged|conceded")
NAME = r"(?:[A-Z][\w'’.-]+|[A-Z]\.)(?:\s+(?:[A-Z][\w'’.-]+|[A-Z]\.|de|van|von|al|bin|da|di|le|la|del))*"
TITLE_WORDS = ("President", "Press", "Secretary", "Director", "Minister", "Prime", "Administrator", "Governor",
               "Senator", "Representative", "Chairman", "Chair", "Chief", "Executive", "Officer", "Spokesman",
               "Spokeswoman", "Spokesperson", "Leader", "Majority", "Minority", "Deputy", "Senior", "Former",
               "National", "Economic", "Council", "General", "Commissioner", "Ambassador", "Mayor", "Judge",
               "Professor", "Dr.", "White", "House", "Vice", "Attorney", "Speaker", "Treasury", "Defense",
               "State", "Republican", "Democratic", "Senate", "Ecologist", "Scientist", "Analyst", "Economist")
ORG_WORDS = re.compile(
    r"\b(?:Center|Centre|Agency|Service|Department|Ministry|Office|Council|Committee|Commission|Bank|Fund|"
    r"University|Institute|Association|Foundation|Company|Corporation|Inc|Corp|Ltd|Government|Authority|"
    r"Authorities|Administration|Bureau|Board|Organization|Organisation|Union|Party|Court|Parliament|Congress|"
    r"Senate|House|Kremlin|Pentagon|Washington|Beijing|Moscow|Brussels|Police|Army|Navy|Reuters|CNN|BBC|NHC|"
    r"NASA|NOAA|IMF|OPEC|EU|UN|WHO|Met\s+Éireann|Met\s+Office|Treasury|Fed|Federal\s+Reserve|Times|Post|"
    r"News|Journal|Network|Group|Team|Club|League)\b")
_FOLLOW = (r"(?:\s+(?!(?:said|says|told|added|predicted|expects|warned|believes|thinks|is|are|was|were|"
           r"that|there|who)\b)[\w'’-]+){0,6}")
_TAIL = r"(?:\s+(?:familiar|close|with|who|in|at|from|of|to)\b" + _FOLLOW + ")?"
ANONYMOUS = re.compile(
    r"\b(?:(?:a|an|one|two|three|several|some)\s+(?:\w+\s+){0,3}?(?:person|people|official|officials|source|"
    r"sources|aide|aides|diplomat|diplomats|insider|insiders|analyst|analysts|observer|observers|expert|experts|"
    r"economist|economists)" + _TAIL +
    r"|(?:outside|external|independent)\s+(?:observers|analysts|experts)|(?:people|sources)\s+familiar\s+with" + _FOLLOW +
    r"|unnamed\s+\w+|officials)\b",
    re.IGNORECASE)
PRONOUNS = {"he", "she", "they", "the person", "the official", "the source", "the officials", "the sources"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Candidate:
    """A drafted ledger entry (the JSON keys of `ledger extract -f json`)."""

    sentence: str
    quote: str
    statement: str
    source: str
    source_kind: str
    role: str | None
    phrase: str | None
    probability: float | None
    deadline_phrase: str | None
    deadline: str | None  # ISO date, "vague" (no date, or only a fuzzy one), or None (no time words)
    deadline_kind: str | None
    made_on: str
    confidence: float
    reason: str
    deadline_provisional: str | None = None  # the date a soft time frame would give
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Context:
    published: date
    outlet: str
    names: dict[str, str] = field(default_factory=dict)  # surname / acronym -> full form
    roles: dict[str, str] = field(default_factory=dict)
    last_person: str | None = None
    last_anonymous: str | None = None
    last_org: str | None = None
    last_org_day: date | None = None
    last_speaker: tuple[str, str] | None = None
    heading_speaker: str | None = None
    acronyms: re.Pattern[str] | None = None


# --- names ---------------------------------------------------------------------------


def _index_names(text: str, context: _Context) -> None:
    """Full names and acronyms defined in the article: 'National Hurricane Center (NHC)'."""
    _collect_names(text, context)
    acronyms = [k for k in context.names if re.fullmatch(r"[A-Z]{2,6}", k)]
    if acronyms:
        context.acronyms = re.compile(r"\b(?:the\s+)?(" + "|".join(map(re.escape, acronyms)) + r")\b")


_DEFINED_ACRONYM = re.compile(r"((?:[A-Z][\w'’.-]+\s+){1,6}[A-Z][\w'’.-]+)\s+\(([A-Z]{2,6})\)")
_ACRONYM_IN_BRACKETS = re.compile(r"\([A-Z]{2,6}\)")


def _collect_names(text: str, context: _Context) -> None:
    # The full pattern backtracks at every capital letter: run it only when the text
    # has an acronym in brackets at all.
    defined = _DEFINED_ACRONYM.finditer(text) if _ACRONYM_IN_BRACKETS.search(text) else ()
    for match in defined:
        full = match.group(1).strip()
        full = re.sub(r"^(?:The|the|A|An)\s+", "", full)
        context.names[match.group(2)] = f"{full} ({match.group(2)})"
        context.names[full] = f"{full} ({match.group(2)})"
    for match in re.finditer(NAME, text):
        words = [w for w in match.group(0).split() if w not in TITLE_WORDS]
        if 2 <= len(words) <= 4 and not ORG_WORDS.search(" ".join(words)):
            full = " ".join(words)
            context.names.setdefault(words[-1], full)


def _clean_name(raw: str, context: _Context) -> tuple[str, str | None]:
    """(name, role): 'NASA Administrator Jim Bridenstine' → ('Jim Bridenstine', 'NASA Administrator')."""
    raw = raw.strip(" ,\"'“”‘’")
    raw = re.sub(r"^(?:The|the)\s+", "", raw)
    descriptor = re.match(r"^((?:[a-z][\w-]*\s+)+)(?=[A-Z])", raw)
    affiliation = re.search(r"\s+(?:of|at|from)\s+(?:the\s+)?([A-Z].*)$", raw)
    extra_role = None
    if descriptor or affiliation:
        parts = [descriptor.group(1).strip() if descriptor else None, affiliation.group(1) if affiliation else None]
        extra_role = ", ".join(p for p in parts if p)
        raw = raw[descriptor.end() if descriptor else 0: affiliation.start() if affiliation else len(raw)].strip()
        if raw not in context.roles and extra_role:
            context.roles[raw] = extra_role
    if raw in context.names:
        return context.names[raw], context.roles.get(raw)
    words = raw.split()
    role_words = []
    while len(words) > 2 and (words[0] in TITLE_WORDS or words[0].isupper() or words[0].endswith("'s")):
        role_words.append(words.pop(0))
    name = " ".join(words)
    if len(words) == 1 and name in context.names:
        name = context.names[name]
    return name, " ".join(role_words) or None


def _kind(name: str) -> str:
    if ANONYMOUS.fullmatch(name) or name.lower().startswith(("a ", "an ", "one ", "outside ", "unnamed", "officials")):
        return "anonymous"
    if ORG_WORDS.search(name) or re.fullmatch(r"[A-Z]{2,6}", name) or name.lower().startswith("authorities"):
        return "organisation"
    if " " not in name.strip() and name.endswith("s") and name.lower() in {
            "scientists", "experts", "analysts", "economists", "officials", "observers", "critics", "researchers",
            "forecasters", "investors", "traders", "sources", "residents", "doctors", "engineers", "diplomats"}:
        return "anonymous"
    return "person"


# --- attribution ---------------------------------------------------------------------

_SAID_AFTER = re.compile(r"(?:[\"”’],?|\s[–—-])\s*(?:" + SPEECH + r")\s+(?P<who>" + ANONYMOUS.pattern + r"|(?:the\s+)?"
                         + NAME + r"|he|she|they|the\s+person)"
                         r"(?:,\s+(?P<role>(?:the\s+)?[a-z][^,.]{2,80}?)(?:,|\.|$))?")
_WHO_SAID = re.compile(r"(?P<who>(?:(?:the|a|an|one)\s+)?" + NAME + r"(?:\s+of\s+(?:the\s+)?" + NAME + r")?)"
                       r"(?:,\s+(?P<role>(?:(?:the|a|an)\s+)?[a-z][^,]{2,70}),)?\s+"
                       r"(?:also\s+|publicly\s+|has\s+|had\s+|have\s+|reportedly\s+)?"
                       r"(?:" + SPEECH + r")\b(?!\s+to\b)")
_SUBJECT = re.compile(r"^(?:(?:On|In|At|After|Before|During)\s[^,]{2,60},\s+)?(?P<who>" + NAME + r")"
                      r"(?:,\s[^,]{2,80},)?\s+(?=[a-z])")
_ORG_NOUNS = {"agency", "company", "government", "ministry", "bank", "service", "court", "union", "party", "police",
              "committee", "council", "commission", "department", "firm", "group", "board"}
_ROLE_SAID = re.compile(
    r"\b(?P<who>[Tt]he\s+(?:[a-z]+\s+){0,2}(?P<noun>minister|spokesman|spokeswoman|spokesperson|official|"
    r"officials|president|chairman|chairwoman|analyst|analysts|economist|economists|forecaster|forecasters|"
    + "|".join(sorted(_ORG_NOUNS)) + r"))\s+(?:also\s+|has\s+|had\s+)?(?:" + SPEECH + r")\b(?!\s+to\b)")
_BY_ANON = re.compile(r"\b(?:by|from)\s+(?P<who>" + ANONYMOUS.pattern + r")", re.IGNORECASE)
_PRONOUN_SAID = re.compile(r"(?:^|[\"”,]\s*)(?P<who>[Hh]e|[Ss]he|[Tt]hey|[Tt]he\s+(?:person|official|source)s?)\s+"
                           r"(?:also\s+|publicly\s+)?(?:" + SPEECH + r")\b")
_ACCORDING = re.compile(r"according\s+to\s+(?P<who>(?:the\s+)?[^,.;]{2,80}?)(?:,|\.|;|$)", re.IGNORECASE)
_ANON_SAID = re.compile(r"(?P<who>" + ANONYMOUS.pattern + r")[^.]{0,40}?\b(?:" + SPEECH + r"|are|is|were|was|remain|"
                        r"remains|remained)\b",
                        re.IGNORECASE)


def _attribute(sentence: str, context: _Context) -> tuple[str, str, str | None, str] | None:
    """(source, kind, role, how) for the speaker named in this sentence, if any."""
    match = _SAID_AFTER.search(sentence)
    if match:
        return _speaker(match.group("who"), match.group("role"), context, "said after the quote")
    match = _ACCORDING.search(sentence)
    if match and not match.group("who").lower().startswith(("reports", "media")):
        return _speaker(match.group("who"), None, context, "according to")
    match = re.search(r"\bofficials\s+in\s+(?P<place>[A-Z][\w]+(?:\s+[A-Z][\w]+)*)", sentence)
    if match:
        return match.group("place"), "organisation", None, "officials of a place"
    match = _ANON_SAID.search(sentence) or _BY_ANON.search(sentence)
    if match and (match.start() < 60 or match.re is _BY_ANON):
        who = match.group("who").strip()
        context.last_anonymous = who
        return who, "anonymous", None, "an anonymous source"
    match = _PRONOUN_SAID.search(sentence)
    if match:
        return _speaker(match.group("who"), None, context, "pronoun")
    match = _ROLE_SAID.search(sentence)
    if match:
        who = match.group("who")
        described = re.sub(r"^[Tt]he\s+", "", who)
        kind = "organisation" if match.group("noun").lower().rstrip("s") in _ORG_NOUNS else "anonymous"
        return described, kind, None, "a role or body named without a name"
    for match in _WHO_SAID.finditer(sentence):
        who = match.group("who")
        if who.split()[0] in {"It", "This", "That", "There", "The", "These", "Those", "In", "On", "After"} \
                and not ORG_WORDS.search(who):
            continue
        return _speaker(who, match.group("role"), context, "X said")
    return None


def _speaker(who: str, role: str | None, context: _Context, how: str) -> tuple[str, str, str | None, str] | None:
    lowered = who.strip().lower()
    if lowered in PRONOUNS or lowered.startswith("the person"):
        if lowered.startswith(("the person", "the official", "the source")) and context.last_anonymous:
            return context.last_anonymous, "anonymous", None, "the same anonymous source"
        if lowered in {"he", "she"} and context.last_person:
            return context.last_person, "person", context.roles.get(context.last_person), "pronoun → last person named"
        if context.last_speaker:
            name, kind = context.last_speaker
            return name, kind, context.roles.get(name), "pronoun → last speaker"
        return None
    if ANONYMOUS.fullmatch(who.strip()):
        context.last_anonymous = who.strip()
        return who.strip(), "anonymous", None, how
    name, title = _clean_name(who, context)
    if not name:
        return None
    kind = _kind(name)
    role = (role or title)
    if role:
        role = role.strip().removeprefix("the ").strip()
        context.roles[name] = role
    return name, kind, role, how


_PAST_SPEECH = (r"said|told|stated|announced|warned|added|predicted|wrote|claimed|noted|remarked|reported|"
                r"issued|released|published|posted|tweeted|forecast\s+on")


def _made_on(sentence: str, published: date) -> date:
    """'told reporters on Monday', 'said on Sunday', 'issued yesterday' → that day before publication."""
    lowered = sentence.lower()
    if "yesterday" not in lowered and not any(day in lowered for day in WEEKDAYS):
        return published
    if re.search(r"\b(?:" + _PAST_SPEECH + r"|advisory|statement)\b[^.]{0,40}?\byesterday\b|\byesterday\b[^.]{0,40}?"
                 r"\b(?:" + _PAST_SPEECH + r")\b|\bissued\s+yesterday", lowered):
        return published - timedelta(days=1)
    day = "|".join(WEEKDAYS)
    match = re.search(r"\b(?:" + _PAST_SPEECH + r")\b(?:\s+\w+){0,2}?\s+on\s+(" + day + r")\b", lowered)
    if match is None:
        match = re.search(r"\bon\s+(" + day + r"),?\s+(?:\w+\s+){0,3}?(?:" + _PAST_SPEECH + r")\b", lowered)
    if match:
        target = WEEKDAYS.index(match.group(1))
        back = (published.weekday() - target) % 7
        return published - timedelta(days=back)
    return published


# --- one sentence --------------------------------------------------------------------


_DETERMINERS = {"a", "an", "the", "same", "this", "that", "his", "her", "their", "its", "our", "my", "weather",
                "latest", "new", "first", "whose"}


def _cues(sentence: str) -> list[tuple[re.Match[str], str]]:
    found: list[tuple[re.Match[str], str]] = []
    for match in STRONG_VERBS.finditer(sentence):
        before = sentence[max(0, match.start() - 12):match.start()].lower().split()
        if before and before[-1] in _DETERMINERS:
            continue  # "a forecast", "the same prediction": a noun, not a verb
        found.append((match, "forecast verb"))
    for match in GRADED.finditer(sentence):
        if not any(m.start() <= match.start() < m.end() for m, _ in found):
            found.append((match, "probability words"))
    if not found:
        for match in WEAK.finditer(sentence):
            warned = WARNING.search(sentence[max(0, match.start() - 30):match.start()])
            timed = match.group("modal") and _deadline_words(sentence[match.end():]) is not None
            if warned or timed or re.search(r"highly\s+possible|it\s+is\s+possible\s+that", sentence, re.IGNORECASE):
                found.append((match, "possibility words with a warning or a time frame"))
                break
    if not found and _in_quotes(sentence):
        spans = _quoted_spans(sentence)
        for match in FIRM.finditer(sentence):
            if any(start <= match.start() < end for start, end in spans):
                found.append((match, "a firm 'will' in quoted speech"))
                break
    if not found:
        match = _REPORTED_WILL.search(sentence)
        if match and match.group("subject").split()[0].lower() not in _PERSONAL:
            found.append((match, "a firm 'will' in reported speech"))
    return sorted(found, key=lambda item: item[0].start())


# "X said the plant will close by March": the future in reported speech (not "he said he
# will run", an intention, nor "would" on its own, which is as often a condition).
_PERSONAL = {"he", "she", "they", "i", "we", "it", "you", "his", "her", "their", "its"}
_REPORTED_WILL = re.compile(
    r"\b(?:said|says|told\s+\w+|predicted|predicts|warned|warns|added|stated|insisted|argued)\s+(?:that\s+)?"
    r"(?P<subject>[A-Za-z][^,.;\"“”]{0,60}?)\s+(?:will|won't|will\s+not|is\s+going\s+to|are\s+going\s+to)\s+"
    r"(?!be\s+(?:able|willing|happy|glad)\b)[a-z]+")


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """The quoted stretches of a sentence, including a quotation that began in the
    sentence before (an odd number of marks, the first one closing) or runs on into the next."""
    marks = [i for i, ch in enumerate(sentence) if ch in "\"“”"]
    spans: list[tuple[int, int]] = []
    if len(marks) % 2 == 1:
        if sentence.lstrip().startswith(("\"", "“")):
            marks.append(len(sentence))  # runs on into the next sentence
        else:
            spans.append((0, marks.pop(0)))  # began in the sentence before
    spans.extend((marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2))
    return spans


def _in_quotes(sentence: str) -> bool:
    return bool(re.search(r"[\"“][^\"”]{8,}", sentence)) or sentence.startswith(("\"", "“"))


def _deadline_words(text: str) -> Any:
    try:
        reading = parse_deadline(text, date(2000, 1, 3))
    except LedgerError:
        return None
    if reading.phrase in {"may", "march"} or reading.kind == "event":
        return None
    if reading.phrase == "near" and not re.search(r"\b(?:is|was|are|were)\s+near\b(?!\s+\d)", text):
        return None
    return reading


_SAID_THAT = re.compile(r"\b(?:" + SPEECH + r")\b[^,;\"“]{0,40}?\bthat\s+")


def _clause(sentence: str, start: int, end: int) -> str:
    """The shortest span around a cue that reads as one forecast."""
    separators = (", ", "; ", ": ", " but ", " though ", " although ", " – ", " — ")
    left = max(sentence.rfind(sep, 0, start) for sep in separators)
    said_that = None
    for found in _SAID_THAT.finditer(sentence[:start]):
        said_that = found  # the last "said … that" before the cue
    if said_that is not None and said_that.end() > left:
        left = said_that.end()
    elif left < 0:
        left = 0
    elif sentence[left:left + 2] in {", ", "; ", ": "}:
        left += 2
    elif sentence[left:left + 5] == " but ":
        left += 5
    elif sentence[left:left + 8] == " though ":
        left += 8
    elif sentence[left:left + 10] == " although ":
        left += 10
    elif sentence[left:left + 3] in {" – ", " — "}:
        left += 3
    rights = [i for i in (sentence.find(sep, end) for sep in
                          (", before ", ", but ", ", and ", "; ", ", as ", "\", ", ", while ", ". ", "”,", "\",", ",\"", ",”",
                           " – ", " — ", ", although ", ", though ", ", he ", ", she ", ", they "))
              if i >= 0]
    right = min(rights) if rights else len(sentence)
    quote = sentence[left:right].strip(" ,;.\"“”'‘’").replace("\"", "").replace("“", "").replace("”", "")
    quote = re.sub(r"^(?:Though|Although|But|And|After|However)\s+", "", quote)
    return quote


def _statement(quote: str) -> str:
    """A plain proposition: drop the speaker and the hedge, keep the outcome."""
    text = re.sub(r"^.*?\b(?:predicts?|predicted|expects?|expected|anticipates?|anticipated|believes?|"
                  r"said|says|warned\s+of|warned|claimed)\s+(?:that\s+)?", "", quote, count=1)
    text = re.sub(r"\b(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:expected|forecast|predicted|projected|anticipated|"
                  r"likely|unlikely|set|poised)\s+to\s+", "will ", text)
    text = re.sub(r"\b(?:would|will)\s+(?:likely|probably)\s+", "will ", text)
    text = re.sub(r"\bwould\b", "will", text)
    text = re.sub(r"^.*?\bthere\s+is\s+an?\s+(?:\w+\s+){0,2}(?:probability|chance|possibility|likelihood)\s+"
                  r"(?:that\s+)?", "", text)
    text = re.sub(r"^(?:I|we|they|he|she)\s+(?:don't|do\s+not|doesn't|does\s+not)\s+(?:think|expect|believe)\s+"
                  r"(?:that\s+)?", "", text)
    text = re.sub(r"^.*?\b(?:skeptical|sceptical|doubtful)\s+(?:about|of|that)\s+(?:the\s+(?:likelihood|chances?|"
                  r"prospect)\s+(?:of|that)\s+)?", "", text)
    text = re.sub(r"\b(?:is|are)\s+(?:unlikely|likely|not\s+likely)\b(?!\s+to\b)", "happen", text)
    text = re.sub(r"^(.+?)\s+happening\b", r"\1 happens", text)
    text = text.strip(" ,.;\"“”")
    return (text[:1].upper() + text[1:]) if text else quote


def _agency(sentence: str, context: _Context, speaker: tuple | None) -> str | None:
    """An organisation this sentence names: a defined acronym, a speaker, or an agency name."""
    if context.acronyms is not None:
        match = context.acronyms.search(sentence)
        if match:
            return context.names[match.group(1)]
    if speaker and speaker[1] == "organisation":
        return speaker[0]
    if not any(word in sentence for word in ("Service", "Agency", "Center", "Centre", "Bureau", "Office", "Met ")):
        return None
    named = _AGENCY.search(sentence)
    return named.group(1) if named else None


_AGENCY = re.compile(r"\b(Met\s+Éireann|Met\s+Office|[A-Z]\w+(?:\s+[A-Z]\w+)*\s+(?:Service|Agency|Center|Centre|"
                     r"Bureau|Office))\b")
_DOCUMENT = re.compile(r"^(?:The|This|That|Its|An?)\s+(?:\w+\s+){0,2}(?:advisory|warning|forecast|bulletin|statement|"
                       r"report|outlook)\b|\bread\s+the\s+(?:warning|advisory|statement|forecast|bulletin)\b")
_PASSIVE = re.compile(r"\b(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:expected|forecast|predicted|projected)\b")


def _subject(sentence: str, context: _Context) -> tuple[str, str, str | None, str] | None:
    """The person or organisation a sentence opens with ("Pierce expressed concern … and warned")."""
    match = _SUBJECT.search(sentence)
    if match is None:
        return None
    who = match.group("who")
    if who.split()[0] in {"It", "This", "That", "There", "The", "These", "Those", "He", "She", "They", "We", "I"}:
        return None
    if who not in context.names and who.split()[-1] not in context.names:
        return None
    name, role = _clean_name(who, context)
    known = name in context.names.values() or who in context.names
    if not known:
        return None
    return name, _kind(name), role, "the sentence's subject"


_CUE_STEMS = ("xpect", "redict", "orecast", "nticipat", "roject", "ikel", "robab", "hance", "odds", "doubt",
              "keptic", "ceptic", "think", "ertain", "nevitab", "toss", "slim", "remote", "ossib", "otential",
              "near", "imminent", "impending", "might", "could", "set to", "poised", "on track", "on course", "%",
              "percent", "erhaps", "same forecast", "same prediction", "won't", "going to")


_WILL_OR_MAY = re.compile(r"\b(?:will|may)\b")


def _may_have_cue(sentence: str) -> bool:
    """A cheap test before the cue patterns: most sentences have no forecast word at all.
    Plain substring tests: several times faster than one regular expression of stems."""
    lowered = sentence.lower()
    for stem in _CUE_STEMS:
        if stem in lowered:
            return True
    return ("will" in lowered or "may" in lowered) and _WILL_OR_MAY.search(lowered) is not None


_SPEECH_WORD = re.compile(r"\b(?:" + SPEECH + r"|according)\b")


def _read_sentence(sentence: str, context: _Context, scale: str,
                   quote_speaker: tuple | None = None) -> list[Candidate]:
    cues = _cues(sentence) if _may_have_cue(sentence) else []
    speaker = _attribute(sentence, context) if (cues or _SPEECH_WORD.search(sentence)) else None
    subject = _subject(sentence, context)
    if subject and subject[1] == "person":
        context.last_person = subject[0]
    if speaker and speaker[1] == "person" and speaker[3] != "pronoun → last speaker":
        context.last_person = speaker[0]
    agency = _agency(sentence, context, speaker)
    sentence_day = _made_on(sentence, context.published)
    if not cues:
        if agency:
            context.last_org = agency
            context.last_org_day = sentence_day if sentence_day != context.published else (
                context.last_org_day if agency == context.last_org else context.published)
        if speaker:
            context.last_speaker = (speaker[0], speaker[1])
        return []
    for pattern, why in SKIP:
        if pattern.search(sentence) and not (why == "a conditional" and re.search(r"\beven\s+if\b", sentence)):
            return []
    results: list[Candidate] = []
    seen_quotes: set[str] = set()
    for match, reason in cues:
        quote = _clause(sentence, match.start(), match.end())
        if not quote or quote in seen_quotes:
            continue
        if reason == "probability words" and not FUTURE.search(sentence[match.end():]) and not re.search(
                r"(?:don't|do not|doesn't|does not)\s+think|skeptic|sceptic|doubt|high\s+probability|"
                r"near|imminent|impending|unlikely", quote, re.IGNORECASE):
            continue  # "likely" about a past or present fact
        source = _source_for(sentence, quote, reason, speaker, subject, agency, quote_speaker, context)
        if source is None:
            continue
        seen_quotes.add(quote)
        reading = _probability(sentence, quote, match, scale)
        if reading is None:
            continue
        name, kind, role, how = source
        made_on = sentence_day
        if kind == "organisation" and name == context.last_org and sentence_day == context.published \
                and context.last_org_day:
            made_on = context.last_org_day
        results.append(_candidate(sentence, quote, reading, source, made_on, reason, context))
    results = _without_overlaps(results)
    if speaker:
        context.last_speaker = (speaker[0], speaker[1])
    elif results:
        context.last_speaker = (results[-1].source, results[-1].source_kind)
    if results and results[-1].source_kind == "organisation":
        context.last_org = results[-1].source
        context.last_org_day = date.fromisoformat(results[-1].made_on)
    elif agency:
        context.last_org = agency
    results.extend(_before_clause(sentence, results, cues, context))
    return results


def _without_overlaps(results: list[Candidate]) -> list[Candidate]:
    """'they predicted that there is a high probability that …': one forecast, read by its
    graded words, not one per cue."""
    kept: list[Candidate] = []
    for candidate in results:
        twin = next((k for k in kept if (k.phrase == "expected") != (candidate.phrase == "expected")
                     and (candidate.quote in k.quote or k.quote in candidate.quote)), None)
        if twin is None:
            kept.append(candidate)
        elif twin.phrase == "expected":
            kept[kept.index(twin)] = candidate
    return kept


def _source_for(sentence: str, quote: str, reason: str, speaker: tuple | None, subject: tuple | None,
                agency: str | None, quote_speaker: tuple | None, context: _Context) -> tuple | None:
    """Who made this forecast, by the attribution rules in the module docstring."""
    if quote_speaker is not None:
        return quote_speaker
    if speaker is not None:
        return speaker
    if reason == "a firm 'will' in reported speech" and subject is not None:
        return subject
    if reason.startswith("a firm"):
        return None  # a bare "will" counts only as someone's words
    if re.search(r"\breportedly\s+(?:\w+\s+)?(?:expected|forecast|predicted|anticipated|likely|set)\b", sentence,
                 re.IGNORECASE):
        return ("unnamed reports", "anonymous", None, "reportedly")
    if _DOCUMENT.search(sentence) and context.last_org:
        return (context.last_org, "organisation", None, "the issuing agency's document")
    if re.search(r",\s+(?:expected|anticipated|forecast|projected|predicted)\s+to\b", sentence) and not agency:
        return (context.outlet, "outlet", None, "a participle clause in the article's own voice")
    if _PASSIVE.search(quote):
        if agency:
            return (agency, "organisation", None, "passive forecast → the agency in the sentence")
        if context.last_org:
            return (context.last_org, "organisation", None, "passive forecast → the agency named before")
    if subject is not None:
        return subject
    if agency:
        return (agency, "organisation", None, "the agency in the sentence")
    if context.heading_speaker:
        name = context.heading_speaker
        return (name, _kind(name), context.roles.get(name), "the speaker named in the heading")
    return (context.outlet, "outlet", None, "the article's own voice")


def _probability(sentence: str, quote: str, match: re.Match[str], scale: str) -> Any:
    """Read the words from the clause's start to the cue, so "not likely" keeps its "not"."""
    start = sentence.find(quote[:20]) if quote[:20] in sentence else match.start()
    for text in (sentence[min(start, match.start()):match.end()], match.group(0)):
        try:
            return parse_probability(text, scale)
        except LedgerError:
            continue
    return None


def _candidate(sentence: str, quote: str, reading: Any, source: tuple, made_on: date, reason: str,
               context: _Context) -> Candidate:
    name, kind, role, how = source
    candidate = Candidate(
        sentence=sentence, quote=quote, statement=_statement(quote), source=name, source_kind=kind,
        role=role, phrase=reading.phrase, probability=reading.value,
        deadline_phrase=None, deadline=None, deadline_kind=None, made_on=made_on.isoformat(),
        confidence=_confidence(reason, kind, reading.weak), reason=f"{reason}; speaker: {how}")
    _set_deadline(candidate, quote, made_on)
    if reading.weak:
        candidate.notes.append("a possibility word: weak evidence")
    return candidate


def _set_deadline(candidate: Candidate, text: str, made_on: date) -> None:
    words = _deadline_words(text)
    candidate.deadline = candidate.deadline_phrase = candidate.deadline_kind = candidate.deadline_provisional = None
    if words is None:
        return
    real = parse_deadline(words.phrase, made_on)
    candidate.deadline_phrase, candidate.deadline_kind = real.phrase, real.kind
    if real.kind in {"soft", "vague"} or real.date is None:
        candidate.deadline = "vague"
        candidate.deadline_provisional = real.date.isoformat() if real.date else None
    else:
        candidate.deadline = real.date.isoformat()


def _before_clause(sentence: str, results: list[Candidate], cues: list, context: _Context) -> list[Candidate]:
    """"… would pass by Wednesday night, before beginning to weaken on Thursday": a second forecast."""
    match = re.search(r",\s+(before\s+\w+ing\b[^,;.]*)", sentence)
    if match is None or not results or not any(reason == "forecast verb" for _, reason in cues):
        return []
    first = results[0]
    extra = Candidate(**{**first.as_dict(), "notes": list(first.notes)})
    extra.quote = match.group(1).strip()
    extra.statement = _statement(re.sub(r"^before\s+(\w+)ing\s+to\s+", "will ", extra.quote))
    extra.reason = "a second forecast in the same sentence; " + first.reason
    _set_deadline(extra, extra.quote, date.fromisoformat(first.made_on))
    return [extra]


def _confidence(reason: str, kind: str, weak: bool) -> float:
    base = {"forecast verb": 0.8, "probability words": 0.75}.get(reason.split(";")[0], 0.5)
    if weak:
        base -= 0.2
    if kind == "outlet":
        base -= 0.1
    return round(max(base, 0.1), 2)


_ECHO = re.compile(r"(?P<who>" + NAME + r")\s+(?:made|gave|offered)\s+the\s+same\s+(?:forecast|prediction)"
                   r"(?:\s+on\s+(?P<day>" + "|".join(w.capitalize() for w in WEEKDAYS) + r"))?"
                   r"|echoing\s+a\s+(?:forecast|prediction)\s+(?:made\s+)?by\s+(?:[\w\s]+?\s)?(?P<who2>" + NAME + r")"
                   r"(?:\s+on\s+(?P<day2>" + "|".join(w.capitalize() for w in WEEKDAYS) + r"))?")


def _echo(sentence: str, previous: Candidate | None, context: _Context) -> Candidate | None:
    """'X made the same forecast on Sunday': the previous forecast, by X, on that day."""
    if previous is None or ("same" not in sentence and "echoing" not in sentence):
        return None
    match = _ECHO.search(sentence)
    if match is None:
        return None
    who = match.group("who") or match.group("who2")
    day = match.group("day") or match.group("day2")
    name, role = _clean_name(who, context)
    made_on = context.published
    if day:
        back = (context.published.weekday() - WEEKDAYS.index(day.lower())) % 7
        made_on = context.published - timedelta(days=back)
    candidate = Candidate(**{**previous.as_dict(), "notes": list(previous.notes)})
    candidate.sentence, candidate.quote = sentence, previous.quote
    candidate.source, candidate.source_kind, candidate.role = name, _kind(name), role
    candidate.made_on = made_on.isoformat()
    candidate.reason = "the same forecast, echoed; speaker: X made the same forecast"
    if previous.deadline_phrase:
        _set_deadline(candidate, previous.deadline_phrase, made_on)
    return candidate


def _quote_speakers(found: list[tuple[int, str]], context: _Context) -> dict[int, tuple]:
    """A quotation running over several sentences takes the speaker named where it closes."""
    speakers: dict[int, tuple] = {}
    index = 0
    while index < len(found):
        sentence = found[index][1]
        opens = sentence.lstrip().startswith(("\"", "“")) and sentence.count("\"") + sentence.count("“") + \
            sentence.count("”") == 1
        if opens:
            for later in range(index + 1, min(index + 6, len(found))):
                text = found[later][1]
                if "\"" in text or "”" in text:
                    closing = _attribute(text, context)
                    if closing is None and _DOCUMENT.search(text) and context.last_org:
                        closing = (context.last_org, "organisation", None, "the issuing agency's document")
                    if closing is not None:
                        for covered in range(index, later + 1):
                            speakers[covered] = closing
                    index = later
                    break
        index += 1
    return speakers


def extract(text: str, published: date, outlet: str = "the outlet", scale: str = "default") -> list[Candidate]:
    """Every candidate forecast in an article, in reading order."""
    if not isinstance(text, str):
        raise LedgerError("article text must be text")
    if len(text) > MAX_TEXT:
        raise LedgerError(f"article longer than {MAX_TEXT:,} characters")
    context = _Context(published=published, outlet=outlet)
    _index_names(text, context)
    found: list[Candidate] = []
    pieces = sentences(text)
    paragraph_of_heading = -1
    quote_speakers: dict[int, tuple] = {}
    for index, (paragraph, sentence) in enumerate(pieces):
        if re.fullmatch(NAME, sentence) and len(sentence.split()) <= 4:
            context.heading_speaker = _clean_name(sentence, context)[0]
            paragraph_of_heading = paragraph
            continue
        if context.heading_speaker and paragraph > paragraph_of_heading + 1 and not sentence.startswith(("\"", "“")):
            context.heading_speaker = None
        if index not in quote_speakers and sentence.lstrip().startswith(("\"", "“")):
            context_copy_org, context_copy_day = context.last_org, context.last_org_day
            quote_speakers.update(_quote_speakers(pieces[index:index + 6], context) and {
                index + k: v for k, v in _quote_speakers(pieces[index:index + 6], context).items()})
            context.last_org, context.last_org_day = context_copy_org, context_copy_day
        own = _read_sentence(sentence, context, scale, quote_speakers.get(index))
        echoed = _echo(sentence, own[-1] if own else (found[-1] if found else None), context)
        if echoed is not None:
            own = [c for c in own if c.source != echoed.source]
        found.extend(own)
        if echoed is not None:
            found.append(echoed)
    return found
