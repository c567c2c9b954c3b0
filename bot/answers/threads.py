"""Threads as conversations: which threads the assistant answered in, what their questions
were about, and whether a follow-up leans on them. Plain Python: no Slack calls here.

A follow-up that leans on the thread ("who owns it?", "and the staff numbers?") is read with
what the thread is about, two ways (bot.answers.service.ask_follow_up picks between them): the
title of the knowledge page that answered its latest question ("MyCSP, the civil service
pensions mutual joint venture"), which names the subject in the knowledge's own words; and the
last question that stood on its own ("What is MyCSP?").

The threads are held in memory, bounded: at most `MAX_THREADS` threads (the least recently
active is dropped first), each forgotten after `IDLE` without an answer, each keeping its last
`KEEP` answered questions and their page titles. Memory rather than the data file because it
is only worth keeping while a conversation is live, and the data file then holds nothing that
ties a channel's thread to what was asked in it (the question log stores questions without
who or where). The cost: after a
restart, a thread needs an @mention again before the assistant follows it (the mention is
answered as ever, with the thread's first message as context).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_THREADS = 10_000
IDLE = timedelta(hours=24)
KEEP = 4
MAX_TEXT = 500

ThreadKey = tuple[str, str]  # (channel id, thread ts)

_WORD = re.compile(r"[\w'’&£-]+", re.UNICODE)
# Words that point back at something said before.
_POINTERS = frozenset(
    "it its it's itself they them their theirs themselves this these those he she him her his "
    "there same such one ones".split()
)
# Openings that continue the previous question: "and the staff numbers?", "what about TUPE?"
_CONTINUING = re.compile(
    r"^\W*(and|also|but|so|or|plus|then|what about|how about|what else|anything else|"
    r"any more|more on|more about|tell me more)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    "what who whom whose when where why how which can could is are was were do does did will "
    "would should shall may might must has have had am".split()
)
# Words of a message meant for the people in the thread, not for a search.
_SOCIAL = frozenset(
    "thanks thank you ty thx ta cheers all everyone everybody folks team guys both y'all "
    "ok okay k great nice cool brilliant perfect lovely super good sounds lol haha noted "
    "got it will do sure yes yep yeah no nope agreed much very lots so many appreciated "
    "helpful that that's thats is was really again".split()
)
_ELSEWHERE = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>|<!(?:here|channel|everyone)\b|<!subteam\^")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def leans_on_earlier(question: str) -> bool:
    """Whether a follow-up needs the thread's earlier questions to be understood: it points
    back ("who owns it?"), continues ("and the staff numbers?"), or is a bare noun phrase
    ("the pension scheme?")."""
    said = words(question)
    if not said or _CONTINUING.match(question):
        return True
    # "that" points back only at the end ("when was that?"); elsewhere it is mostly a
    # conjunction ("is it true that ...").
    if any(w in _POINTERS for w in said) or said[-1] == "that":
        return True
    return len(said) <= 5 and not any(w in _QUESTION_WORDS for w in said)


def is_social(text: str) -> bool:
    """A message to the people in the thread ("thanks all", "great, cheers"), not a question."""
    said = words(text)
    return not said or (all(w in _SOCIAL for w in said) and "?" not in text)


def addressed_elsewhere(raw_text: str, bot_user_id: str | None) -> bool:
    """The message (as Slack sent it) mentions someone other than us, or a group."""
    for found in _ELSEWHERE.finditer(raw_text):
        if bot_user_id is None or not found.group(0).startswith(f"<@{bot_user_id}"):
            return True
    return False


def asks_something(question: str) -> bool:
    """Clearly a question: a question mark, or a question word first."""
    said = words(question)
    return "?" in question or bool(said and said[0] in _QUESTION_WORDS)


@dataclass(frozen=True)
class Earlier:
    """What a follow-up may be read with: the title of the page that answered the thread's
    latest question (None if unknown), and the last question that stood on its own."""

    topic: str | None
    question: str

    def contexts(self) -> list[str]:
        return [c for c in (self.topic, self.question) if c]


@dataclass
class _Thread:
    turns: list[tuple[str, str, bool]] = field(default_factory=list)  # (topic, question, leaned)
    active: datetime = datetime.min


class Threads:
    """The threads the assistant answered in, with what they were about (bounded)."""

    def __init__(self, clock: Callable[[], datetime], max_threads: int = MAX_THREADS,
                 idle: timedelta = IDLE) -> None:  # fmt: skip
        self._clock = clock
        self._max = max_threads
        self._idle = idle
        self._lock = threading.Lock()
        self._threads: OrderedDict[ThreadKey, _Thread] = OrderedDict()

    def __len__(self) -> int:
        return len(self._threads)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.knows(key)

    def knows(self, key: ThreadKey) -> bool:
        """Whether the assistant answered in this thread and it has not gone idle."""
        with self._lock:
            return self._live(key) is not None

    def context_for(self, key: ThreadKey) -> Earlier | None:
        """What a follow-up in this thread may be read with; None if nothing was answered."""
        with self._lock:
            thread = self._live(key)
            if thread is None or not thread.turns:
                return None
            topic = thread.turns[-1][0]
            anchor = next((t for t in reversed(thread.turns) if not t[2]), thread.turns[-1])
            return Earlier(topic, anchor[1])

    def remember(self, key: ThreadKey, topic: str | None = None, question: str | None = None,
                 leaned: bool = False) -> None:  # fmt: skip
        """The assistant answered in this thread: `question`, with a passage of the page titled
        `topic` (None for help or a decline, which leave what the thread is about as it was)."""
        now = self._clock()
        with self._lock:
            thread = self._live(key) or _Thread()
            if topic and question:
                turn = (topic[:MAX_TEXT], question[:MAX_TEXT], leaned)
                thread.turns = [*thread.turns, turn][-KEEP:]
            thread.active = now
            self._threads[key] = thread
            self._threads.move_to_end(key)
            while len(self._threads) > self._max:
                self._threads.popitem(last=False)

    def _live(self, key: ThreadKey) -> _Thread | None:
        thread = self._threads.get(key)
        if thread is not None and self._clock() - thread.active > self._idle:
            del self._threads[key]
            return None
        return thread
