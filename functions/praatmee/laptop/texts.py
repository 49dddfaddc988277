"""What the `praatmee` command says to an organiser or developer on a laptop: plain Dutch, like praatmee.texts
(which holds every word the product's users read), but never shipped to AWS."""

from __future__ import annotations

CLI_TEXTS: dict[str, str] = {
    "reading": "Aanmeldingen lezen: {n} gelezen",
    "writing": "Bestanden maken: werkmap en {n} CSV-bestanden",
    "uploading": "Opslaan in de exportmap: {name}",
    "downloading": "Downloaden {i} van {n}: {name}",
    "saved": "Opgeslagen in {folder}",
    "newest": "Nieuwste export: {export}",
    "no_exports": "Er zijn nog geen exports.",
    "links_intro": "Links (geldig tot {until}, daarna vraag je nieuwe links op):",
    "summary_title": "Aanmeldingen per bijeenkomst:",
    "summary_line": (
        "  {title}: {placed} van {capacity} plaatsen bezet, {waitlisted} op de reservelijst, "
        "{pending} wachten op toestemming, {cancelled} afgemeld"
    ),
    "no_local_stack_draw": (
        "De lokale omgeving is niet bereikbaar op {endpoint}. Start die eerst met `make serve` (met dezelfde "
        "PORT). Op AWS loot de omgeving zelf, op het tijdstip uit het editiebestand."
    ),
    "no_local_stack": (
        "De lokale omgeving is niet bereikbaar op {endpoint}. Start die eerst met `make serve` "
        "(met dezelfde PORT), of gebruik --aws."
    ),
    "no_bucket": "Geef de exportbucket op met --bucket of PRAATMEE_EXPORT_BUCKET (zie de README).",
    "aws_error": "AWS gaf een fout: {error}. Controleer je profiel, regio en rechten.",
    "draw_not_due": (
        "De loting kan nog niet: deze editie geeft plaatsen op volgorde van aanmelden, of de aanmelding is "
        "nog open (tot {deadline}). Probeer het met --now en een tijdstip na de sluiting."
    ),
    "draw_line": "{title}: {pool} aangemeld, {placed} geplaatst, {reserves} op de reservelijst",
    "draw_done_before": "{title}: al eerder geloot ({pool} aangemeld); niemand is nu verplaatst",
    "draw_mailed": "Iedereen krijgt de uitslag per e-mail (lokaal: zie het postvak).",
    "no_local_stack_daily": (
        "De lokale omgeving is niet bereikbaar op {endpoint}. Start die eerst met `make serve` (met dezelfde "
        "PORT). Op AWS draaien de dagelijkse taken vanzelf."
    ),
    "daily_moment": "Dagelijkse taken van {date} om {time} uur:",
    "daily_sent": "  {kind}: {n} verstuurd",
    "daily_nothing": "  Er was geen e-mail te versturen.",
    "daily_promoted": "  {n} mensen van de reservelijst geplaatst (er kwamen plaatsen bij)",
    "daily_expired": "  {n} aanmeldingen van leerlingen verwijderd: geen toestemming van een ouder op tijd",
    "daily_failed": "  {n} aanmeldingen lukten niet; de volgende keer proberen we het opnieuw",
    "daily_outbox": "Lees de e-mails in het lokale postvak: /lokaal/postvak/ op de lokale site.",
}

# The mails of the journey, by the name `praatmee.mail` gives each kind.
CLI_MAIL_KINDS: dict[str, str] = {
    "receipt": "Ontvangstbevestiging",
    "guardian_request": "Vraag om toestemming aan een ouder",
    "consented": "Bericht over de toestemming",
    "promoted": "Bericht over een vrije plek",
    "confirmation": "Bevestiging met agenda-afspraak",
    "no_place": "Bericht over geen plek",
    "reserve": "Uitslag van de loting: reservelijst",
}

# The organisers' room on the local stack, and `praatmee organisers`.
ROOM_CLI_TEXTS: dict[str, str] = {
    "serve_room": "  organisatie: {origin}/organisatie/ (inloggen als {email}, eerste wachtwoord {password})",
    "serve_room_code": (
        "    daarna kies je een eigen wachtwoord en zet je de sleutel {key} in een app voor inlogcodes, "
        "of vraag je de code op met: praatmee organisers code (met PORT={port})"
    ),
    "added": "Organisator {email} toegevoegd aan de groep organisatoren. Eerste wachtwoord: {password}",
    "added_aws": "Organisator {email} toegevoegd. Cognito mailt het eerste wachtwoord naar dit adres.",
    "code": "Code voor de lokale inlogstap: {code} (nog {seconds} seconden geldig)",
    "no_pool": "Geef de user pool op met --user-pool of PRAATMEE_USER_POOL_ID (zie de README).",
    "no_local_pool": "De lokale omgeving heeft geen user pool. Start `make serve` opnieuw.",
    "exists": "Er is al een organisator met het adres {email}.",
}
