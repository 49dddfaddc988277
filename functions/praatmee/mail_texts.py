"""Dutch texts of the mails and link pages added after `texts.py` reached its size: who sends, the guardian's
request and what is stored about a pupil, meetings that still have room, a receipt sent again, and the link
pages per status.

Plain Dutch, level B1, like `texts.py`; the older mail texts stay there.
"""

from __future__ import annotations

from praatmee.models import RegistrationStatus

# Who sends: mails from an unknown sender look like phishing.
ORGANISERS = (
    "Wij zijn de Algemene Onderwijsbond (AOb) en Ouders & Onderwijs. Wij organiseren Praat mee in opdracht "
    "van het ministerie van Onderwijs, Cultuur en Wetenschap."
)

# The guardian's request. Whoever signs up a pupil chooses the address it goes to, so the subject is fixed
# and the pupil's name (what a stranger typed) appears only in the body, in quotes, as what was filled in.
GUARDIAN_SUBJECT = "Geef je toestemming? Een leerling wil meedoen aan Praat mee"
GUARDIAN_PARAGRAPHS: tuple[str, ...] = (
    "Een leerling heeft zich aangemeld voor een bijeenkomst van Praat mee over basisondersteuning. "
    'De leerling vulde deze naam in: "{pupil}". Jouw e-mailadres is ingevuld als adres van een ouder of '
    "verzorger. Het gaat om deze bijeenkomst:",
    "In deze bijeenkomsten praten ouders, leerlingen, leraren en begeleiders mee over de ondersteuning die "
    "elke school moet geven.",
    "De leerling is jonger dan 16 jaar. Daarom mag de leerling alleen meedoen als jij als ouder of verzorger "
    "toestemming geeft. Open de link hieronder. Daar kies je of je toestemming geeft. "
    "Je kunt ook nee zeggen. Dan verwijderen we de aanmelding meteen.",
    "Doe je niets? Dan verwijderen we de aanmelding na {expires}.",
)
GUARDIAN_NOT_YOU = (
    "Ken je deze leerling niet? Dan kun je deze e-mail negeren. We verwijderen de aanmelding dan vanzelf."
)

# What a parent is told about the pupil's data (the guardian's request).
GUARDIAN_STORED_INTRO = "Dit hebben we over de leerling bewaard:"
GUARDIAN_STORED_FIELDS = {
    "name": "Naam",
    "email": "E-mailadres",
    "sector": "Soort onderwijs",
    "themes": "Onderwerpen",
    "organisation": "School of organisatie",
    "needs": "Wat de leerling nodig heeft",
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
