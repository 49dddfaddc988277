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
        "  {title}: {placed} van {capacity} plaatsen bezet, {applied}{waitlisted} op de reservelijst, "
        "{unconfirmed} nog niet bevestigd, {pending} wachten op toestemming, {cancelled} afgemeld"
    ),
    # Only while people wait for the draw (an edition with a draw, before it ran).
    "summary_applied": "{applied} in de loting, ",
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

CLI_TEXTS |= {
    "help_draw": (
        "lokaal: doe de loting en mail iedereen de uitslag; of een stap: commit (vooraf vastleggen), "
        "download (de bundels), verify (een bundel controleren)"
    ),
    "help_now": "doe alsof het dit tijdstip is, bijvoorbeeld 2027-03-02T10:00 (na de sluiting)",
    "help_commitment": "de toezegging (standaard: functions/praatmee/commitment.json)",
    "help_secret": "bestand met het geheim (standaard: ~/.praatmee/loting-geheim-<editie>.txt)",
    "help_round": "de ronde van drand als JSON, geplakt of bewaard (standaard: ophalen bij drand)",
    "help_commit": "leg vóór de sluiting vast wat de loting gebruikt, en publiceer het als toezegging",
    "help_trial": "lokale proef: gebruik deze bewaarde ronde van drand (bewijst niets, en zegt dat overal)",
    "help_commit_aws": "het geheim is het lotingsgeheim van de stack in Secrets Manager",
    "help_secret_arn": "ARN van het lotingsgeheim (standaard PRAATMEE_DRAW_SECRET_ARN); alleen met --aws",
    "help_download": "download de bundels van de loting uit de exportbucket (lokaal, of met --aws)",
    "help_verify": "controleer een bundel: zonder AWS en zonder internet",
    "help_bundle": "de bundel van één loting (JSON)",
    "no_secret_arn": "Geef met --aws ook --secret-arn op, of zet PRAATMEE_DRAW_SECRET_ARN.",
    "commit_first_come": "Deze editie geeft plaatsen op volgorde van aanmelden: er is geen loting.",
    "commit_too_late": (
        "Te laat: de aanmelding is gesloten ({deadline}). Een toezegging moet er vóór de sluiting zijn. "
        "Voor een proef op je eigen computer: --proefronde BESTAND."
    ),
    "secret_file": "het geheim staat in {path} (niet in de repository; bewaar het tot na de loting)",
    "secret_aws": "het geheim is het lotingsgeheim {arn} in Secrets Manager",
    "committed": "Toezegging geschreven: {path} (SHA-256 {sha})",
    "committed_round": "  ronde {round} van drand quicknet, op {when}",
    "committed_secret": "  vingerafdruk van het geheim (SHA-256): {sha}; {kept}",
    "committed_dirty": (
        "  Let op: de code van de loting heeft wijzigingen die nog niet in git staan. Commit die eerst en "
        "maak de toezegging opnieuw, dan kan iedereen de versie terugvinden."
    ),
    "committed_next": (
        "Publiceer de toezegging vóór de sluiting: commit het bestand en deploy (de pagina Zo kiezen we "
        "toont het). Lokaal: start make serve opnieuw om het op de site te zien."
    ),
    "committed_trial": (
        "Dit is een PROEF: de ronde bestond al. Loot lokaal met dezelfde ronde: "
        "praatmee draw --now <na de sluiting> --ronde <hetzelfde bestand>. Commit dit bestand niet."
    ),
    "no_secret": "Het geheim van de loting staat niet in {path}. Geef het bestand met --geheim-bestand.",
    "fetching": "Ronde {round} ophalen bij drand ...",
    "trial_draw": "PROEF: deze loting gebruikt een ronde die al bestond; ze laat zien hoe het werkt.",
    "draw_bundle": "Bundel: {key} (SHA-256 {sha})",
    "no_bundles": "Er zijn nog geen bundels: de loting is nog niet geweest.",
    "bundles_next": "Controleer een bundel met: praatmee draw verify {example}",
}

# The local server's own refusals (`praatmee serve`), before a request reaches the site or the API.
SERVER_REFUSALS: dict[int, tuple[str, str]] = {
    400: (
        "bad_request",
        "De server kon dit verzoek niet lezen. Controleer het adres en probeer het opnieuw.",
    ),
    408: ("request_timeout", "Het verzoek kwam niet op tijd helemaal binnen. Probeer het opnieuw."),
    413: ("too_large", "Het verzoek is te groot."),
}
