"""Every Dutch text of the organisers' actions on one person and of a message to a meeting (plain Dutch)."""

from __future__ import annotations

FIND_TITLE = "Deelnemer zoeken"
FIND_INTRO = (
    "Zoek iemand die gemaild of gebeld heeft. Met het e-mailadres vind je de aanmelding precies. "
    "Met een naam zoek je binnen één bijeenkomst."
)
FIND_EMAIL = "E-mailadres"
FIND_NAME = "Naam (of een deel ervan)"
FIND_MEETING = "Bijeenkomst"
FIND_BUTTON = "Zoeken"
FIND_NONE = "Niemand gevonden. Kijk of het e-mailadres of de naam goed is geschreven."
FIND_RESULTS = "Gevonden"
BACK_TO_ROOM = "Terug naar de organisatie"
NAV_FIND = "Deelnemer zoeken"
NAV_ADD = "Iemand aanmelden (telefoon of papier)"
NAV_MESSAGE = "Bericht sturen aan {title}"

PERSON_TITLE = "Deelnemer: {name}"
PERSON_ERASED_NAME = "(gewist)"
LABELS: dict[str, str] = {
    "meeting": "Bijeenkomst",
    "status": "Status",
    "position": "Plek op de reservelijst",
    "email": "E-mailadres",
    "role": "Rol",
    "sector": "Soort onderwijs",
    "themes": "Onderwerpen",
    "organisation": "School of organisatie",
    "needs": "Wensen",
    "second_meeting": "Tweede keus",
    "added": "Aangemeld door",
    "mails": "Verstuurde e-mails",
    "name": "Naam",
    "confirm_until": "Bevestigen kan tot",
    "expired": "Verlopen op",
}
ADDED_BY_ORGANISER = "de organisatie"
ADDED_BY_PERSON = "de deelnemer zelf"
NO_MAILS = "Nog geen."
MAIL_NAMES: dict[str, str] = {
    "receipt": "bevestiging van de aanmelding",
    "guardian_request": "vraag om toestemming aan de ouder",
    "consented": "toestemming gegeven",
    "promoted": "er is een plek vrij",
    "confirmation": "bevestiging twee weken vooraf",
    "no_place": "geen plek",
    "reserve": "reservelijst na de loting",
    "moved": "verplaatst",
    "confirm_request": "link om de aanmelding te bevestigen",
    "confirm_again": "nieuwe link om de aanmelding te bevestigen",
    "confirm_asked": "nieuwe link op verzoek, via de organisatie",
}

CONFIRM = "Ja, ik weet het zeker. De deelnemer heeft hierom gevraagd."
CANCEL_TITLE = "Afmelden"
CANCEL_INTRO = "De plek gaat naar de volgende op de reservelijst. Beiden krijgen een e-mail."
CANCEL_BUTTON = "Meld deze deelnemer af"
MOVE_TITLE = "Verplaatsen"
MOVE_INTRO = (
    "Naar een andere bijeenkomst voor dezelfde soort school. Is daar geen plek, dan komt de deelnemer op de "
    "reservelijst. De oude plek gaat naar de volgende op de reservelijst."
)
MOVE_TO = "Naar bijeenkomst"
MOVE_BUTTON = "Verplaats deze deelnemer"
CORRECT_TITLE = "Gegevens verbeteren"
CORRECT_INTRO = "Bij een nieuw e-mailadres krijgt de deelnemer een nieuwe bevestiging met een nieuwe link."
CORRECT_BUTTON = "Sla de verbeteringen op"
RESEND_TITLE = "Bevestiging opnieuw sturen"
RESEND_INTRO = "De deelnemer krijgt een nieuwe link om af te melden. De oude link werkt dan niet meer."
RESEND_BUTTON = "Stuur de bevestiging opnieuw"
# A sign-up from the site whose address is not confirmed yet (confirming.py).
FIND_CONFIRM_UNTIL = "bevestigen kan tot {moment}"
FIND_EXPIRED = "verlopen, niet op tijd bevestigd"
EXPIRED_NOTE = (
    "Deze aanmelding is niet op tijd bevestigd. De link werkt niet meer en de aanmelding telt niet mee. "
    "De persoon kan zich opnieuw aanmelden. Of meld de persoon zelf aan via Iemand aanmelden."
)
CONFIRM_LINK_TITLE = "Bevestigingslink opnieuw sturen"
CONFIRM_LINK_INTRO = (
    "Is de e-mail niet gekomen? De deelnemer krijgt een nieuwe e-mail met een nieuwe link. De oude link "
    "werkt dan niet meer. Vraag de deelnemer ook in de map met ongewenste e-mail te kijken."
)
CONFIRM_LINK_BUTTON = "Stuur de link opnieuw"
CONFIRM_FOR_TITLE = "Bevestigen namens deze persoon"
CONFIRM_FOR_INTRO = (
    "Doe dit alleen als de persoon je zelf heeft gezegd dat het e-mailadres klopt. De aanmelding telt dan "
    "mee, net als na een klik op de link. De deelnemer krijgt een e-mail met de bevestiging."
)
CONFIRM_FOR_SURE = "Ja, de persoon heeft mij gezegd dat dit e-mailadres klopt."
CONFIRM_FOR_BUTTON = "Bevestig deze aanmelding"
ERASE_TITLE = "Gegevens wissen (AVG artikel 17)"
ERASE_INTRO = (
    "Alles van deze deelnemer wordt gewist. Een plek gaat naar de volgende op de reservelijst. "
    "Alleen een telling zonder naam blijft over."
)
ERASE_BUTTON = "Wis alle gegevens van deze deelnemer"
ERASED = "De gegevens zijn gewist."
ERASED_EXPORTS = "Deze exports zijn eerder gemaakt en bevatten de deelnemer nog. Verwijder ze ook: {folders}."
ERASED_NO_EXPORTS = "Er zijn geen eerdere exports met deze deelnemer."

DONE: dict[str, str] = {
    "afgemeld": "De deelnemer is afgemeld.",
    "verplaatst": "De deelnemer is verplaatst.",
    "verbeterd": "De gegevens zijn verbeterd.",
    "bevestiging": "De bevestiging is opnieuw verstuurd.",
    "aangemeld": "De deelnemer is aangemeld.",
    "bevestigingslink": "De link om te bevestigen is opnieuw verstuurd. De oude link werkt niet meer.",
    "bevestigd": "De aanmelding is bevestigd. De deelnemer krijgt daarover een e-mail.",
}
CONFIRM_MISSING = "Vink aan dat je het zeker weet."
CORRECT_INVALID = "Dit is niet goed ingevuld. Kijk het na en probeer het opnieuw."
ERROR_MESSAGES: dict[str, str] = {
    "not_confirmed": CONFIRM_MISSING,
    "still_unconfirmed": (
        "Deze aanmelding is nog niet bevestigd. Bevestig haar eerst, of stuur de link opnieuw."
    ),
    "confirmation_expired": (
        "Deze aanmelding is niet op tijd bevestigd en is verlopen. De persoon kan zich opnieuw aanmelden. "
        "Of meld de persoon zelf aan via Iemand aanmelden."
    ),
    "pupil_role_fixed": (
        "Een leerling kan geen andere rol krijgen, en andersom: de vraag naar de leeftijd en de ouder horen "
        "erbij. Meld de persoon af en meld hem of haar opnieuw aan."
    ),
}

ADD_TITLE = "Iemand aanmelden"
ADD_INTRO = (
    "Voor iemand die belt of een papieren formulier stuurt. Dezelfde regels gelden als op de website. "
    "Bij een leerling jonger dan 16 vragen we de ouder of verzorger per e-mail om toestemming."
)
ADD_BUTTON = "Meld deze persoon aan"
ADD_UNDER_16 = "Is het een leerling jonger dan 16 jaar?"
ADD_GUARDIAN_NAME = "Naam van de ouder of verzorger (alleen bij jonger dan 16)"
ADD_GUARDIAN_EMAIL = "E-mailadres van de ouder of verzorger (alleen bij jonger dan 16)"
ADD_CONSENT = "De persoon heeft de privacyverklaring gehoord of gelezen en vindt het goed."
YES, NO = "Ja", "Nee"

MESSAGE_TITLE = "Bericht aan {title}"
MESSAGE_INTRO = (
    "Schrijf een bericht aan iedereen met een plek, bijvoorbeeld het adres, de route of een wijziging. "
    "Iedereen krijgt het één keer."
)
MESSAGE_BODY = "Je bericht"
MESSAGE_RESERVES = "Stuur het ook aan de mensen op de reservelijst"
MESSAGE_PREVIEW = "Bekijk het voorbeeld"
MESSAGE_SEND = "Verstuur dit bericht"
MESSAGE_PREVIEW_TITLE = "Zo ziet het bericht eruit"
MESSAGE_RECIPIENTS = "Het gaat naar {n} mensen."
MESSAGE_SENT = "Verstuurd aan {sent} mensen. Niet verstuurd: {refused}."
MESSAGES_TITLE = "Verstuurde berichten"
MESSAGE_LINE = "{moment}: {sent} verstuurd, {refused} niet verstuurd."
MESSAGE_EMPTY = "Schrijf eerst een bericht."
MESSAGE_TOO_LONG = "Het bericht is te lang. Houd het onder 5000 tekens."

# The mails of these actions.
MESSAGE_SUBJECT = "Bericht over je bijeenkomst van Praat mee op {date}"
MESSAGE_INTRO_MAIL = "De organisatie van Praat mee stuurt je dit bericht over je bijeenkomst:"
MOVED_SUBJECT = "Je aanmelding voor Praat mee is verplaatst"
MOVED_INTRO = "Op je verzoek hebben we je aanmelding verplaatst. Je bijeenkomst is nu:"
CANCELLED_SUBJECT = "Je bent afgemeld voor Praat mee"
CANCELLED_PARAGRAPH = (
    "Op je verzoek hebben we je afgemeld voor deze bijeenkomst. We hebben je gegevens verwijderd."
)
