"""Every Dutch word a user reads, in one place, so the site and the API say the same thing."""

from __future__ import annotations

import datetime as dt

from praatmee import confirm_texts
from praatmee.edition import Allocation, Edition, Meeting, Role, RoleGroup, SchoolType, Sector, Theme
from praatmee.models import RegistrationStatus

SECTOR_LABELS: dict[Sector, str] = {
    Sector.PO: "basisonderwijs",
    Sector.SBO: "speciaal basisonderwijs",
    Sector.SO: "speciaal onderwijs",
    Sector.VO: "voortgezet onderwijs",
    Sector.VSO: "voortgezet speciaal onderwijs",
}

ROLE_LABELS: dict[Role, str] = {
    Role.OUDER: "ouder of verzorger",
    Role.LEERLING: "leerling",
    Role.LERAAR: "leraar",
    Role.BEGELEIDER: "begeleider",
    Role.SCHOOLLEIDER: "schoolleider",
    Role.BESTUURDER: "schoolbestuurder",
    Role.SAMENWERKINGSVERBAND: "medewerker van een samenwerkingsverband",
    Role.EXPERT: "expert",
    Role.ANDERS: "anders",
}

THEME_LABELS: dict[Theme, str] = {
    Theme.DYSLEXIE: "lezen, spelling en dyslexie",
    Theme.HOOGBEGAAFDHEID: "meer- en hoogbegaafdheid",
    Theme.LEERGEDRAG: "leergedrag (zoals concentratie, faalangst en plannen)",
}

# The groups of the draw's target mix, as a report names them ("Regio Zuid: 3 te weinig in de groep ouders").
FEATURE_LABELS: dict[str, str] = {
    f"rol:{RoleGroup.OUDERS}": "ouders",
    f"rol:{RoleGroup.LEERLINGEN}": "leerlingen",
    f"rol:{RoleGroup.ONDERWIJS}": "leraren en begeleiders",
    f"rol:{RoleGroup.ANDEREN}": "anderen (zoals schoolleiders en experts)",
    f"school:{SchoolType.BASIS}": "mensen uit het (speciaal) basisonderwijs",
    f"school:{SchoolType.VOORTGEZET}": "mensen uit het (speciaal) voortgezet onderwijs",
    **{f"thema:{theme}": f"mensen met ervaring met {label}" for theme, label in THEME_LABELS.items()},
}
DRAW_TEXTS: dict[str, str] = {
    "too_few": "{meeting}: {n} te weinig in de groep {group}",
    "too_many": "{meeting}: {n} te veel in de groep {group}",
}

# Written out here rather than taken from a locale library: nineteen words keep the functions light.
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


NUMBER_WORDS = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")


def count(number: int, singular: str, plural: str) -> str:
    """`één bijeenkomst`, `drie bijeenkomsten`, `12 bijeenkomsten`"""
    word = NUMBER_WORDS[number] if number < len(NUMBER_WORDS) else str(number)
    return f"{word} {singular if number == 1 else plural}"


def day_month(day: dt.date) -> str:
    """`18 maart`"""
    return f"{day.day} {MONTHS[day.month - 1]}"


def long_date(day: dt.date) -> str:
    """`donderdag 18 maart 2027`"""
    return f"{WEEKDAYS[day.weekday()]} {day_month(day)} {day.year}"


DATE_UNCONFIRMED = "datum onder voorbehoud"
DATES_UNCONFIRMED_NOTE = "De datums zijn nog niet definitief. Je hoort het van ons als een datum verandert. "
DATES_UNCONFIRMED_NOTE += "In de bevestiging staat de definitieve datum."


def meeting_date(edition: Edition, meeting: Meeting) -> str:
    """`donderdag 18 maart 2027`, with `(datum onder voorbehoud)` until the organisers confirmed the dates."""
    day = long_date(meeting.date)
    return day if edition.dates_confirmed else f"{day} ({DATE_UNCONFIRMED})"


def times(meeting: Meeting) -> str:
    """`19.00 tot 21.00 uur`, the Dutch way of writing clock times."""
    return f"{meeting.start.replace(':', '.')} tot {meeting.end.replace(':', '.')} uur"


def join_words(words: list[str]) -> str:
    """`a, b en c`"""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def audience(meeting: Meeting) -> str:
    """Who a meeting is for, in the order of the sector list."""
    if set(meeting.audience) == set(Sector):
        return "alle sectoren: " + join_words([SECTOR_LABELS[s] for s in Sector])
    return join_words([SECTOR_LABELS[s] for s in Sector if s in meeting.audience])


def where(meeting: Meeting) -> str:
    """`in Wolvega` or `online`"""
    return "online" if meeting.place is None else f"in {meeting.place}"


def upper_first(text: str) -> str:
    """Capitalise the first letter only (`str.capitalize` would lower the rest)."""
    return text[:1].upper() + text[1:]


def deadline(edition: Edition) -> str:
    """`vóór maandag 1 maart 2027`"""
    return f"vóór {long_date(edition.register_before)}"


# ---------------------------------------------------------------------------------------------------
# Registration API: messages for the form and the API. Plain Dutch, level B1.
# ---------------------------------------------------------------------------------------------------

# How the API names a field in a message ("Vul je naam in").
FIELD_LABELS: dict[str, str] = {
    "meeting": "de bijeenkomst",
    "second_meeting": "je tweede keus",
    "name": "je naam",
    "email": "je e-mailadres",
    "role": "wie je bent",
    "sector": "je soort onderwijs",
    "themes": "een onderwerp",
    "organisation": "je school of organisatie",
    "needs": "wat je nodig hebt",
    "privacy_consent": "je toestemming",
    "under_16": "of je jonger bent dan 16",
    "guardian": "je ouder of verzorger",
    "guardian.name": "de naam van je ouder of verzorger",
    "guardian.email": "het e-mailadres van je ouder of verzorger",
    "guardian.consent": "de toestemming van je ouder of verzorger",
    "registration_id": "het nummer van je aanmelding",
    "token": "de code uit je e-mail",
}

# Messages for one field, by error code. `{label}` is filled in from FIELD_LABELS.
FIELD_MESSAGES: dict[str, str] = {
    "missing": "Vul {label} in.",
    "choice_missing": "Kies {label}.",
    "too_long": "Dit is te lang. Maak {label} korter.",
    "invalid_choice": "Kies {label} uit de lijst.",
    "invalid_email": "Vul een goed e-mailadres in, zoals naam@voorbeeld.nl.",
    "invalid": "Controleer {label}. Dit klopt niet.",
    "not_allowed": "Dit veld kennen we niet. Laat het weg.",
    "consent_required": "Je kunt je alleen aanmelden als je akkoord gaat met de privacyverklaring.",
    "guardian_consent_required": "Je ouder of verzorger moet toestemming geven.",
    "duplicate_theme": "Kies elk onderwerp maar één keer.",
    "themes_missing": "Kies minstens één onderwerp.",
    "guardian_required": (
        "Ben je jonger dan 16? Vul dan de naam en het e-mailadres van je ouder of verzorger in."
    ),
    "guardian_not_allowed": "Vul alleen een ouder of verzorger in als je jonger bent dan 16.",
    "under_16_required": "Kies of je jonger bent dan 16 jaar.",
    "guardian_email_same": (
        "Vul het e-mailadres van je ouder of verzorger in. Dit moet een ander adres zijn dan dat van jou."
    ),
    "control_character": (
        "Er staat een teken in {label} dat we niet kunnen gebruiken, zoals een nieuwe regel. Haal het weg."
    ),
    "web_address": "Vul {label} in zonder webadres.",
    "no_letter": "Vul {label} in met letters.",
    "malformed_body": "We konden je aanmelding niet lezen. Probeer het nog een keer.",
}

# Every page, once the deadline has passed.
SIGN_UP_CLOSED = (
    "Aanmelden is gesloten. Dat kon tot en met {last_day}. Heb je je aangemeld? Dan krijg je van ons een "
    "e-mail over je bijeenkomst."
)

# Messages for errors about the whole request, by domain error code.
ERROR_MESSAGES: dict[str, str] = {
    "malformed_body": "We konden je aanmelding niet lezen. Probeer het nog een keer.",
    "too_large": "Je aanmelding is te groot. Maak je antwoorden korter.",
    "unsupported_media_type": "We konden je aanmelding niet lezen. Gebruik het formulier op de website.",
    "foreign_origin": "Meld je aan via het formulier op onze eigen website.",
    "unknown_meeting": "Deze bijeenkomst bestaat niet. Kies een bijeenkomst uit de lijst.",
    "not_eligible": "Deze bijeenkomst is niet voor jouw soort onderwijs. Kies een andere bijeenkomst.",
    "second_meeting_refused": (
        "Kies als tweede keus een andere bijeenkomst die past bij jouw soort onderwijs."
        " Of kies geen tweede keus."
    ),
    "second_meeting_not_offered": "Een tweede keus is niet nodig. Kies één bijeenkomst.",
    "changed_meanwhile": "Iemand anders heeft deze aanmelding net veranderd. Laad de pagina opnieuw.",
    "registration_closed": "Aanmelden kan niet meer. De aanmeldtermijn is voorbij.",
    "already_registered": (
        "Met dit e-mailadres is al iemand aangemeld. Je kunt je maar voor één bijeenkomst aanmelden."
    ),
    "not_found": "We vinden deze aanmelding niet. Kijk of je de goede link uit je e-mail gebruikt.",
    "guardian_asked_too_often": (
        "Dit e-mailadres van een ouder of verzorger is al te vaak ingevuld. Klopt dit niet? Mail ons dan."
    ),
    "try_again": "Het is nu erg druk. Probeer het over een paar minuten nog een keer.",
    "not_found_route": "Deze pagina bestaat niet.",
    **confirm_texts.ERROR_MESSAGES,
}

# The small page a form post gets when something is wrong (the browser has no JavaScript).
FORM_ERROR_TITLE = "Je aanmelding is nog niet gelukt"
FORM_ERROR_INTRO = "Dit moet je nog aanpassen:"
# Without JavaScript only the browser's own Back keeps what was typed; the link starts over.
FORM_BACK_HINT = "Ga terug naar het formulier met de terugknop van je browser. "
FORM_BACK_HINT += "Dan staan je antwoorden er nog."
FORM_BACK = "Opnieuw beginnen met een leeg formulier"


# -- the sign-up form in the browser (rendered into the page by hooks/edition.py) ----------------------

FORM_TEXTS: dict[str, str] = {
    "error_title_prefix": "Fout: ",
    "error_summary": "Er is een probleem",
    "second_choice_hint": (
        "Is er bij je eerste keus geen plek voor je? Dan kun je misschien meedoen bij een andere bijeenkomst."
        " Die kies je hier. Je krijgt nooit meer dan één plek."
    ),
    "your_meeting": "Je bijeenkomst:",
    "seats_left": "Nog {n} plaatsen vrij.",
    "applicants": "{applicants} aangemeld voor {capacity} plaatsen. Na de sluiting is er een loting.",
    "seat_left": "Nog 1 plaats vrij.",
    "full": "Vol: je komt op de reservelijst.",
    "closed": "Aanmelden is gesloten.",
    "not_eligible": "Niet voor jouw soort onderwijs. Kies een andere bijeenkomst.",
    "network": (
        "Je aanmelding is niet verstuurd. Controleer je internetverbinding en probeer het nog een keer."
    ),
}


# ---------------------------------------------------------------------------------------------------
# E-mails to participants and guardians, and the small pages their links open. Level B1.
# A mail is a subject and a list of paragraphs; a paragraph may end in a link (label, address).
# ---------------------------------------------------------------------------------------------------


def how_places_are_given(edition: Edition) -> str:
    """One paragraph for the sign-up page: first come, or a fair draw after the deadline."""
    if edition.allocation is Allocation.DRAW:
        return (
            "Zijn er meer aanmeldingen dan plaatsen? Dan kiezen we na de sluiting met een eerlijke loting "
            "wie er meedoet. Zo komen ouders, leerlingen, leraren en begeleiders allemaal aan het woord. "
            f"Je hoort uiterlijk {confirm_period(edition)} voor je bijeenkomst of je mee kunt doen."
        )
    return (
        "Wie zich eerst aanmeldt, krijgt eerst een plek. "
        "Is een bijeenkomst vol? Dan kom je op de reservelijst."
    )


def confirm_period(edition: Edition) -> str:
    """`twee weken` (or `10 dagen`): how long before a meeting the confirmation comes."""
    weeks, days = divmod(edition.confirm_days_before, 7)
    if days == 0:
        return count(weeks, "week", "weken")
    return count(edition.confirm_days_before, "dag", "dagen")


MAIL_SIGNATURE = "Met vriendelijke groet,\nDe organisatie van Praat mee over basisondersteuning"


def meeting_line(edition: Edition, meeting: Meeting) -> str:
    """`Regio Noord, op donderdag 18 maart 2027 van 19.00 tot 21.00 uur in Wolvega`"""
    line = f"{meeting.title}, op {meeting_date(edition, meeting)} van {times(meeting)}"
    if meeting.place is None and meeting.title.lower() == "online":
        return line  # not "Online, ... uur online"
    return f"{line} {where(meeting)}"


def cancel_paragraph(status: RegistrationStatus, *, newest: bool) -> str:
    """Why to use the cancel link, for what the person really holds: a seat, a reserve place, a sign-up."""
    text = {
        RegistrationStatus.PLACED: (
            "Kun je toch niet komen? Meld je dan af met de link hieronder. Dan krijgt iemand anders je plek."
        ),
        RegistrationStatus.WAITLISTED: (
            "Wil je niet meer op de reservelijst staan? Meld je dan af met de link hieronder."
        ),
    }.get(status, "Wil je toch niet meedoen? Meld je dan af met de link hieronder.")
    if newest:
        text += " Gebruik de link in deze e-mail: links uit eerdere e-mails werken niet meer."
    return text


CANCEL_LINK_LABEL = "Afmelden"
CONSENT_LINK_LABEL = "Toestemming geven of weigeren"
CONTACT_PARAGRAPH = (
    "Heb je een vraag? Stuur dan een e-mail naar {contact}. Je kunt ook op deze e-mail antwoorden."
)

RECEIPT_SUBJECTS: dict[RegistrationStatus, str] = {
    RegistrationStatus.APPLIED: "Je bent aangemeld voor Praat mee: je doet mee aan de loting",
    RegistrationStatus.PLACED: "Je bent aangemeld voor Praat mee: er is een plek voor je",
    RegistrationStatus.WAITLISTED: "Je bent aangemeld voor Praat mee: je staat op de reservelijst",
    RegistrationStatus.PENDING_GUARDIAN: (
        "Je aanmelding voor Praat mee: je ouder of verzorger moet nog toestemming geven"
    ),
}
RECEIPT_INTRO = "We hebben je aanmelding ontvangen voor deze bijeenkomst:"
STATUS_PARAGRAPHS: dict[RegistrationStatus, str] = {
    RegistrationStatus.APPLIED: (
        "Er is beperkt plek. Als de aanmelding dicht is, kiezen we met een eerlijke loting wie er meedoet. "
        "Zo komen ouders, leerlingen, leraren en begeleiders allemaal aan het woord."
    ),
    RegistrationStatus.PLACED: "Er is een plek voor je.",
    RegistrationStatus.WAITLISTED: "De bijeenkomst is vol. Je staat op de reservelijst. "
    "Je bent nummer {position} of eerder aan de beurt.",
    RegistrationStatus.PENDING_GUARDIAN: (
        "Je bent jonger dan 16 jaar. Daarom vragen we je ouder of verzorger om toestemming. "
        "We hebben hem of haar een e-mail gestuurd."
    ),
}
NEXT_PARAGRAPHS: dict[RegistrationStatus, str] = {
    RegistrationStatus.APPLIED: (
        "Je krijgt uiterlijk {confirm_weeks} voor de bijeenkomst een e-mail. "
        "Daarin staat of je mee kunt doen."
    ),
    RegistrationStatus.PLACED: (
        "Je krijgt {confirm_weeks} voor de bijeenkomst een bevestiging. Daarin staat alles wat je moet weten."
    ),
    RegistrationStatus.WAITLISTED: (
        "Gaat iemand niet? Dan krijgt de eerste persoon op de reservelijst die plek. Je krijgt dan meteen "
        "een e-mail. Je hoort {confirm_weeks} voor de bijeenkomst in elk geval of je mee kunt doen."
    ),
    RegistrationStatus.PENDING_GUARDIAN: (
        "Geeft je ouder of verzorger toestemming? Dan krijg je een plek, of een plek op de reservelijst "
        "als de bijeenkomst vol is. Je krijgt daarover een e-mail. "
        "Komt er geen toestemming vóór {expires}? Dan verwijderen we je aanmelding."
    ),
}
# What a pupil waiting for consent reads instead, when places are given by a draw.
NEXT_PENDING_DRAW = (
    "Geeft je ouder of verzorger toestemming? Dan doe je mee aan de loting. "
    "Komt er geen toestemming vóór {expires}? Dan verwijderen we je aanmelding."
)
RECEIPT_DATA = "Dit hebben we van je bewaard: je naam, je e-mailadres en de antwoorden op het formulier."

# The guardian's request: mail_texts.py (its subject holds nothing a stranger typed).

CONSENTED_SUBJECTS: dict[RegistrationStatus, str] = {
    RegistrationStatus.APPLIED: "Je ouder of verzorger gaf toestemming: je doet mee aan de loting",
    RegistrationStatus.PLACED: "Je ouder of verzorger gaf toestemming: er is een plek voor je",
    RegistrationStatus.WAITLISTED: "Je ouder of verzorger gaf toestemming: je staat op de reservelijst",
}
CONSENTED_INTRO = "Je ouder of verzorger heeft toestemming gegeven. Je aanmelding is nu compleet voor:"

PROMOTED_SUBJECT = "Er is een plek vrij: je kunt meedoen met Praat mee"
PROMOTED_PARAGRAPHS: tuple[str, ...] = (
    "Goed nieuws! Iemand heeft zich afgemeld. Jij stond bovenaan de reservelijst. Daarom is er nu een plek "
    "voor je bij:",
    "Je krijgt {confirm_weeks} voor de bijeenkomst een bevestiging met alle informatie. Is dat al voorbij? "
    "Dan krijg je die bevestiging binnen een dag.",
)

CONFIRMATION_SUBJECT = "Bevestiging: je doet mee met Praat mee op {date}"
CONFIRMATION_PARAGRAPHS: tuple[str, ...] = (
    "Je doet mee. We zien je graag bij deze bijeenkomst:",
    "In de bijlage zit een afspraak voor je agenda.",
)
CONFIRMATION_SECOND_CHOICE = (
    "Bij je eerste keus was geen plek voor je. Daarom krijg je een plek bij je tweede keus."
)
SECOND_CHOICE_LINE = (
    "Je tweede keus: {meeting}. Daar kun je een plek krijgen als er bij je eerste keus geen plek is."
)
CONFIRMATION_PLACE = (
    "Plaats: {place}. Het precieze adres en de route sturen we je nog."  # ASSUMPTION: no address yet
)
CONFIRMATION_ONLINE = (
    "De bijeenkomst is online. De link om mee te doen sturen we je een paar dagen van tevoren."
)

RESERVE_SUBJECT = "Uitslag van de loting: je staat op de reservelijst voor {date}"
RESERVE_PARAGRAPHS: tuple[str, ...] = (
    "De loting is geweest. Er waren meer aanmeldingen dan plaatsen. Daarom heb je nu nog geen plek bij "
    "deze bijeenkomst:",
    "Je staat op de reservelijst. Je bent nummer {position}. Meldt iemand zich af? Dan geven we die plek "
    "aan iemand van de reservelijst. Zo blijft de groep gemengd. Krijg jij de plek? Dan krijg je meteen "
    "een e-mail.",
)
NO_PLACE_SUBJECT = "Geen plek bij Praat mee op {date}"
NO_PLACE_PARAGRAPHS: tuple[str, ...] = (
    "Bedankt dat je wilt meepraten. Helaas is er deze keer geen plek voor je bij deze bijeenkomst:",
    "Meldt iemand zich nog af? Dan krijg je misschien toch een plek. We sturen je dan meteen een e-mail. "
    "Je hoeft zelf niets te doen.",
)

GREETING = "Hallo {name},"


def ics_summary(meeting: Meeting) -> str:
    return f"Praat mee over basisondersteuning: {meeting.title}"


def ics_location(meeting: Meeting) -> str:
    return "Online" if meeting.place is None else meeting.place


def ics_description(edition: Edition, site_origin: str) -> str:
    return (
        "Bijeenkomst over de landelijke norm voor basisondersteuning. "
        f"Vragen: {edition.contact_email}. {site_origin}/"
    )


ICS_FILENAME = "praat-mee.ics"

# Pages that the links in the e-mails open (served by the API; the confirming button posts the form).
LINK_PAGES: dict[str, str] = {
    "cancel_title": "Wil je je afmelden?",
    "cancel_intro": "Je bent aangemeld voor deze bijeenkomst:",
    "cancel_question": "Weet je het zeker? Als je je afmeldt, krijgt iemand anders je plek.",
    "cancel_button": "Ja, meld mij af",
    "cancelled_already": "Je bent al afgemeld. Je hoeft niets meer te doen.",
    "consent_title": "Geef je toestemming?",
    "consent_intro": "{pupil} wil meedoen aan deze bijeenkomst:",
    "consent_question": (
        "{pupil} is jonger dan 16 jaar. Mag {pupil} meedoen? Als je ja zegt, bewaren we de aanmelding. "
        "Als je nee zegt, verwijderen we alle gegevens meteen."
    ),
    "consent_yes": "Ja, ik geef toestemming",
    "consent_no": "Nee, ik geef geen toestemming",
    "consent_done": "De toestemming is al gegeven. Je hoeft niets meer te doen.",
    "not_found_title": "We vinden deze aanmelding niet",
    "not_found": (
        "Deze link werkt niet (meer). Misschien is de aanmelding al afgemeld of verwijderd. Of je gebruikt "
        "een link uit een oudere e-mail: gebruik dan de link uit je nieuwste e-mail van ons."
    ),
    "home": "Naar de website",
}
