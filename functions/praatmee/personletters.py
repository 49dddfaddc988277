"""The mails of the organisers' actions: a move, a cancellation on someone's behalf, a message to a meeting.
Composed like every mail (`letters`): plain values in, a mail out."""

from __future__ import annotations

from praatmee import persontexts as words
from praatmee import texts
from praatmee.letters import Block, Letter, render
from praatmee.ses import Mail


def moved(letter: Letter) -> Mail:
    """After an organiser moved the sign-up: the new meeting, and where the person stands there."""
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        words.MOVED_INTRO,
        letter.meeting_line(),
        *letter.status_paragraphs(),
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), words.MOVED_SUBJECT, blocks)


def cancelled(letter: Letter) -> Mail:
    """After an organiser cancelled on the person's behalf (composed from what was read before)."""
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        words.CANCELLED_PARAGRAPH,
        letter.meeting_line(),
        *letter.closing(newest=False),
    ]
    return render(str(letter.data["email"]), words.CANCELLED_SUBJECT, blocks)


def message(letter: Letter, body: str) -> Mail:
    """The organisers' message to everyone of a meeting: their text in the body, never in the subject."""
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        words.MESSAGE_INTRO_MAIL,
        letter.meeting_line(),
        body,
        *letter.closing(newest=False),
    ]
    subject = words.MESSAGE_SUBJECT.format(date=texts.day_month(letter.meeting.date))
    return render(str(letter.data["email"]), subject, blocks)
