"""Every Dutch word of the organisers' room and its sign-in (plain Dutch, B1), in one place."""

from __future__ import annotations

TITLE = "Organisatie"
SIGN_IN_TITLE = "Inloggen voor de organisatie"

ERROR_MESSAGES: dict[str, str] = {
    "sign_in_failed": "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw.",
    "sign_in_expired": "Het inloggen duurde te lang. Begin opnieuw.",
    "wrong_code": "Deze code klopt niet. Kijk in je app en typ de nieuwe code van 6 cijfers.",
    "weak_password": (
        "Dit wachtwoord is niet sterk genoeg. Kies minstens 14 tekens, met hoofdletters, kleine letters, "
        "cijfers en een leesteken."
    ),
    "mfa_missing": (
        "Inloggen kan alleen met een tweede stap (een code uit een app). Die stap ontbrak. Neem contact op "
        "met de beheerder."
    ),
    "no_session": "Je bent niet (meer) ingelogd. Log opnieuw in.",
    "not_organiser": "Je hebt geen toegang tot de organisatie. Vraag de beheerder om toegang.",
    "foreign_request": "Dit verzoek komt niet van deze website. Er is niets veranderd.",
    "invalid_form": "Niet alles is goed ingevuld. Kijk de velden na.",
    "unknown_meeting": "Deze bijeenkomst bestaat niet.",
    "unknown_export": "Deze export bestaat niet (meer). Kies een export uit de lijst.",
    "try_again": "Het lukt nu even niet. Probeer het over een paar minuten opnieuw.",
    "not_found_route": "Deze pagina bestaat niet.",
    "too_large": "Wat je stuurde is te groot.",
    "malformed_body": "Wat je stuurde kunnen we niet lezen.",
}

FIELDS: dict[str, str] = {
    "email": "E-mailadres",
    "password": "Wachtwoord",
    "new_password": "Nieuw wachtwoord",
    "code": "Code uit je app (6 cijfers)",
}
SIGN_IN_BUTTON = "Inloggen"
SIGN_IN_INTRO = "Deze pagina is alleen voor de organisatoren van Praat mee."
FIRST_TIME_INTRO = (
    "Je logt voor het eerst in. Kies een eigen wachtwoord: minstens 14 tekens, met hoofdletters, kleine "
    "letters, cijfers en een leesteken."
)
FIRST_TIME_BUTTON = "Wachtwoord opslaan"
SETUP_INTRO = (
    "Je logt in met twee stappen: je wachtwoord en een code uit een app op je telefoon. Zet deze sleutel in "
    "een app voor inlogcodes (bijvoorbeeld de app van je werk). Typ daarna de code die de app laat zien."
)
SETUP_KEY = "Sleutel voor je app"
SETUP_BUTTON = "Code controleren"
CODE_INTRO = "Open de app voor inlogcodes op je telefoon en typ de code van 6 cijfers."
CODE_BUTTON = "Verder"
START_AGAIN = "Opnieuw beginnen"
ERROR_SUMMARY = "Er is een probleem"

SIGNED_IN_AS = "Ingelogd als {email}."
SIGN_OUT = "Uitloggen"
INTRO = "Hier zie je per bijeenkomst wie er komen, hoe de groep is samengesteld, en maak je exports."
POOL_NOTE = (
    "De loting is nog niet geweest. De balken tellen iedereen die zich heeft aangemeld. Mist er een groep? "
    "Benader die dan nog voor de sluiting."
)
COUNTS_CAPTION = "Aantallen per bijeenkomst"
COUNT_COLUMNS = (
    "Bijeenkomst",
    "Plaatsen",
    "Aangemeld voor de loting",
    "Geplaatst",
    "Reservelijst of wachtlijst",
    "Nog niet bevestigd",
    "Wacht op toestemming ouder",
    "Afgemeld",
)
MIX_TITLE = "Samenstelling: {title}"
MIX_POOL = "Aangemeld voor de loting (nog niet geloot)"
MIX_PLACED = "Geplaatst: deze mensen komen"
MIX_COLUMNS = ("Groep", "Aantal", "Gewenst")
MIX_NO_TARGET = "geen doel"
MIX_TARGET = "gewenst {low} tot {high}"
MIX_SHORT = "{n} te weinig"
MIX_OVER = "{n} te veel"
MIX_OK = "binnen het doel"
BY_ROLE_GROUP = "Rol"
BY_SCHOOL_TYPE = "Soort onderwijs"
BY_THEME = "Onderwerp (iemand kan bij meer onderwerpen horen)"

EXPORTS_TITLE = "Exports"
EXPORTS_INTRO = (
    "Een export is een Excel-bestand met alle aanmeldingen, en een CSV-bestand per bijeenkomst. Klik op een "
    "bestand om het te downloaden. Exports worden na 30 dagen verwijderd."
)
EXPORT_NOW = "Maak nu een export"
EXPORT_MADE = "De export is klaar. Je vindt hem bovenaan de lijst."
NO_EXPORTS = "Er zijn nog geen exports."
EXPORT_OF = "Export van {moment}"
DOWNLOAD = "Download {name}"

VENUES_TITLE = "Gegevens voor de deelnemers"
VENUES_INTRO = (
    "Deze gegevens zijn niet openbaar. Ze staan in de bevestiging die iedereen met een plek twee weken van "
    "tevoren krijgt. Laat een veld leeg als het niet nodig is."
)
VENUE_FIELDS: dict[str, str] = {
    "address": "Adres van de plek",
    "route": "Route en parkeren",
    "online_link": "Link naar de online bijeenkomst (begint met https://)",
    "phone": "Telefoonnummer op de dag zelf",
}
VENUE_SAVE = "Opslaan voor {title}"
VENUE_SAVED = "De gegevens van {title} zijn opgeslagen."
BACK_TO_ROOM = "Terug naar de organisatiepagina (er wordt niets opgeslagen)"
VENUE_ERRORS: dict[str, str] = {
    "address": "Het adres mag hoogstens 300 tekens hebben.",
    "route": "De route mag hoogstens 1500 tekens hebben.",
    "online_link": "Vul een link in die begint met https://, zonder spaties.",
    "phone": "Vul een telefoonnummer in met alleen cijfers, spaties, + of -.",
}

AUDIT_TITLE = "Laatste acties"
AUDIT_EMPTY = "Nog geen acties."
AUDIT_ACTIONS: dict[str, str] = {
    "signed_in": "ingelogd",
    "signed_out": "uitgelogd",
    "export_made": "export gemaakt",
    "export_downloaded": "bestand gedownload",
    "venue_saved": "gegevens van een bijeenkomst opgeslagen",
}
AUDIT_LINE = "{moment}: {email}, {action}"

# What the two-weeks confirmation says when the organisers stored a meeting's details.
CONFIRMATION_ADDRESS = "Adres: {address}"
CONFIRMATION_ROUTE = "Route: {route}"
CONFIRMATION_LINK = "Link om mee te doen"
CONFIRMATION_PHONE = "Op de dag zelf bereikbaar op: {phone}"
