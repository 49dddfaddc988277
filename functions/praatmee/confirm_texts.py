"""The Dutch words of confirming an address: the first e-mail, the page its link opens, the result page's
line. B1: short sentences, one thing at a time. `texts.py` takes the status label and the error message."""

from __future__ import annotations

from praatmee.models import RegistrationStatus

STATUS_LABEL = {RegistrationStatus.UNCONFIRMED: "nog niet bevestigd"}

ERROR_MESSAGES = {
    "confirmation_expired": (
        "Deze link is verlopen, meld je opnieuw aan. Je hebt je aanmelding niet op tijd bevestigd. Daarom "
        "hebben we je aanmelding en je gegevens verwijderd."
    ),
}

# What the result page, the form and the API's answer tell someone who just signed up.
NEXT_STEP = (
    "Kijk in je e-mail en bevestig je aanmelding binnen {hours} uur. Pas dan tellen we je aanmelding mee."
)

# What confirming leads to, on the result page after signing up: a place at once, or a ticket in the draw.
AFTER_CONFIRMING = {
    "first_come": "Dan hoor je meteen of er een plek voor je is.",
    "draw": (
        "Dan doe je mee aan de loting. Je hoort uiterlijk {period} voor je bijeenkomst of je mee kunt doen."
    ),
}

# -- the first e-mail -----------------------------------------------------------------------------------

SUBJECT = "Bevestig je aanmelding voor Praat mee"
SUBJECT_AGAIN = "Bevestig je aanmelding voor Praat mee (nieuwe link)"
INTRO = "Je hebt je aangemeld voor deze bijeenkomst:"
INTRO_AGAIN = (
    "Je hebt het formulier nog een keer gestuurd. Je aanmelding is nog niet bevestigd. Hier is een nieuwe "
    "link. De link uit de vorige e-mail werkt niet meer."
)
# The same, sent by the organisers when someone phoned that the first mail did not come.
INTRO_ASKED = (
    "Je hebt ons gevraagd om een nieuwe link. Je aanmelding is nog niet bevestigd. Hier is de nieuwe link. "
    "De link uit de vorige e-mail werkt niet meer."
)
ASK = (
    "Bevestig je aanmelding vóór {until}. Dat is binnen {hours} uur na je aanmelding. Pas dan tellen we je "
    "aanmelding mee. Daarna hoor je of er een plek voor je is."
)
ASK_DRAW = (
    "Bevestig je aanmelding vóór {until}. Dat is binnen {hours} uur na je aanmelding. Pas dan doe je mee aan "
    "de loting."
)
LINK_LABEL = "Bevestig je aanmelding"
NOT_YOU = (
    "Heb je je niet aangemeld? Doe dan niets. Bevestig je niet, dan verwijderen we de aanmelding en alle "
    "gegevens na {hours} uur."
)
AT_TIME = "{day} om {clock} uur"

# -- the page the link opens -------------------------------------------------------------------------------

PAGE_TITLE = "Bevestig je aanmelding"
PAGE_INTRO = "Je hebt je aangemeld voor:"
PAGE_QUESTION = "Klopt dit? Bevestig dan je aanmelding. Pas dan tellen we je aanmelding mee."
PAGE_BUTTON = "Ja, ik bevestig mijn aanmelding"
PAGE_DONE = "Je aanmelding is al bevestigd. Je hebt daarover een e-mail van ons gekregen."
PAGE_CANCELLED = "Deze aanmelding is afgemeld. Wil je toch meedoen? Meld je dan opnieuw aan."
EXPIRED_TITLE = "Deze link is verlopen"
EXPIRED = (
    "Deze link is verlopen, meld je opnieuw aan. Je hebt je aanmelding niet binnen {hours} uur bevestigd. "
    "Daarom hebben we je aanmelding en je gegevens verwijderd."
)
SIGN_UP_AGAIN = "Opnieuw aanmelden"
