"""Dutch texts of the mails and link pages added after `texts.py` reached its size: who sends, what is stored
about a pupil, meetings that still have room, a receipt sent again, and the link pages per status.

Plain Dutch, level B1, like `texts.py`; the older mail texts stay there.
"""

from __future__ import annotations

from praatmee.models import RegistrationStatus

# Who sends: mails from an unknown sender look like phishing.
ORGANISERS = (
    "Wij zijn de Algemene Onderwijsbond (AOb) en Ouders & Onderwijs. Wij organiseren Praat mee in opdracht "
    "van het ministerie van Onderwijs, Cultuur en Wetenschap."
)

# What a parent is told about the pupil's data (the guardian's request).
GUARDIAN_STORED_INTRO = "Dit hebben we over {pupil} bewaard:"
GUARDIAN_STORED_FIELDS = {
    "name": "Naam",
    "email": "E-mailadres",
    "sector": "Soort onderwijs",
    "themes": "Onderwerpen",
    "organisation": "School of organisatie",
    "needs": "Wat {pupil} nodig heeft",
}
GUARDIAN_STORED_YOU = (
    "Van jou bewaren we alleen je naam en je e-mailadres. We verwijderen alle gegevens uiterlijk op "
    "{retain_until}. Meer hierover lees je in onze privacyverklaring: {privacy}"
)

# Meetings that still have room, for someone without a seat who may move.
OPEN_MEETINGS = (
    "Bij deze bijeenkomsten is nog plek: {meetings}. Wil je liever daarheen? Meld je dan eerst af met de "
    "link hieronder. Meld je daarna opnieuw aan op {form}"
)

# The same form sent again: the receipt once more, with a new link.
RECEIPT_AGAIN_SUBJECT = "Nog een keer: je aanmelding voor Praat mee"
RECEIPT_AGAIN_INTRO = (
    "Je hebt het formulier nog een keer gestuurd, met dezelfde gegevens. Je bent niet twee keer aangemeld. "
    "Hier is nog een keer wat we van je aanmelding weten:"
)

# The cancel page asks what the person really gives up.
CANCEL_QUESTIONS: dict[RegistrationStatus, str] = {
    RegistrationStatus.PLACED: "Weet je het zeker? Als je je afmeldt, krijgt iemand anders je plek.",
    RegistrationStatus.WAITLISTED: "Weet je het zeker? Als je je afmeldt, halen we je van de reservelijst.",
    RegistrationStatus.APPLIED: "Weet je het zeker? Als je je afmeldt, doe je niet mee aan de loting.",
    RegistrationStatus.PENDING_GUARDIAN: (
        "Weet je het zeker? Als je je afmeldt, verwijderen we je aanmelding."
    ),
}

# A link from an older mail, whose registration got a newer link since.
REPLACED_LINK_TITLE = "Gebruik de link uit je nieuwste e-mail"
REPLACED_LINK = (
    "Deze link komt uit een oudere e-mail van ons. We hebben je daarna nog een e-mail gestuurd, met een "
    "nieuwe link. Alleen die nieuwe link werkt. Zoek in je e-mail naar de nieuwste e-mail van Praat mee."
)

# Header and footer of the link pages, as on the site.
SITE_NAME = "Praat mee over basisondersteuning"
PRIVACY_LINK = "Privacyverklaring"
