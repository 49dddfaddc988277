"""Every Dutch text of the draw anyone can check: the draw number in the result mail, the beacon, the
commitment ("toezegging") and `praatmee draw verify`. Plain Dutch; "drand" and "SHA-256" are names.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------------

LOTTERY_PAGE = "/zo-kiezen-we/"
DRAW_NUMBER_PARAGRAPH = (
    "Je lotnummer is {number}. Met dit nummer kun je zelf nagaan dat de loting eerlijk was. Hoe dat gaat, "
    "lees je op onze website:"
)
DRAW_NUMBER_LINK_LABEL = "Zo kiezen we"

BEACON_TEXTS: dict[str, str] = {
    "not_json": "Deze ronde van drand is geen leesbare JSON ({error}).",
    "no_round": "In deze ronde van drand staat geen geldig rondenummer.",
    "no_signature": "Ronde {round} van drand heeft geen leesbare handtekening (verwacht: hexadecimaal).",
    "randomness": "Bij ronde {round} van drand past het toevalsgetal niet bij de handtekening.",
    "other_round": "Dit is ronde {round} van drand, maar de toezegging noemt ronde {expected}.",
    "length": "De handtekening van ronde {round} heeft {n} bytes; een echte handtekening heeft er {want}.",
    "not_a_point": "De handtekening van ronde {round} is geen geldige handtekening (geen punt op de curve).",
    "forged": (
        "De handtekening van ronde {round} klopt niet met de openbare sleutel van drand {chain}: "
        "deze ronde is niet echt."
    ),
    "not_yet": "Ronde {round} van drand is er nog niet: die komt pas op {when}.",
    "unreachable": (
        "drand was niet bereikbaar voor ronde {round} (na {tries} pogingen; laatste fout: {problem}). "
        "Haal de ronde zelf op en geef het bestand mee met --ronde."
    ),
}

COMMITMENT_TEXTS: dict[str, str] = {
    "missing": (
        "Er is nog geen toezegging voor de loting. Maak die vóór de sluiting met `praatmee draw commit` "
        "en publiceer het bestand {path}."
    ),
    "unreadable": "De toezegging in {path} is onleesbaar: {error}",
    "secret": "Het geheim past niet bij de toezegging: de SHA-256 is {actual}, toegezegd is {expected}.",
    "chain": "De toezegging noemt een andere keten van drand ({chain}) dan quicknet.",
    "edition": "De toezegging hoort bij editie {committed}, niet bij editie {edition}.",
    "meetings": "De toezegging noemt andere bijeenkomsten ({committed}) dan het editiebestand ({edition}).",
    "capacity": "{title}: de toezegging noemt {committed} plaatsen, het editiebestand {edition}.",
    "targets": "{title}: de doelen in het editiebestand zijn anders dan in de toezegging.",
    "changed": (
        "Het editiebestand wijkt af van de toezegging. De loting gebruikt alleen wat vooraf is toegezegd:\n"
        "{lines}"
    ),
}

# The site page "Zo kiezen we": the commitment as published, or the promise to publish it.
COMMITMENT_PAGE: dict[str, str] = {
    "first_come": (
        "Bij deze editie is er geen loting. Wie zich eerst aanmeldt, krijgt eerst een plek. Daarom is er "
        "ook niets vooraf vast te leggen."
    ),
    "not_yet": (
        "Deze gegevens maken we bekend voordat de aanmelding sluit, dus {deadline}. Dan staat hier welke "
        "ronde van drand we gebruiken, de vingerafdruk van onze geheime code en de doelen per bijeenkomst."
    ),
    "trial": (
        "Let op: dit is een proef op een eigen computer. De ronde van drand bestond al toen deze gegevens "
        "werden vastgelegd. Zo'n proef laat zien hoe het werkt, maar bewijst niets."
    ),
    "intro": "Dit hebben we vastgelegd op {made}, vóór de sluiting van de aanmelding.",
    "round": (
        "**Het openbare toevalsgetal**: ronde {round} van drand (de keten quicknet). Die ronde komt op "
        "{when}, na de sluiting. Niemand weet nu welk getal dat wordt."
    ),
    "secret": "**De vingerafdruk van onze geheime code** (SHA-256): {hash}",
    "code": "**De versie van het programma**: {commit}",
    "file": "**De vingerafdruk van dit hele bestand** (SHA-256): {hash}",
    "targets_caption": "Plaatsen en doelen per bijeenkomst",
    "meeting": "Bijeenkomst",
    "seats": "Plaatsen",
    "targets": "Doelen: zoveel mensen uit elke groep",
    "range": "{group}: {low} tot {high}",
    "range_min": "{group}: minstens {low}",
    "unknown_commit": "onbekend",
}

# `praatmee draw verify`: what held, what differs, and what to keep in mind.
VERIFY_TEXTS: dict[str, str] = {
    "title": "Loting {label} (editie {edition})",
    "ok": "Deze loting klopt.",
    "not_ok": "Deze loting klopt niet:",
    "warnings": "Let op:",
    "sha_published": "De SHA-256 van het bestand is {actual}, maar gepubliceerd is {expected}.",
    "not_json": "Het bestand is geen leesbare JSON: {error}.",
    "not_canonical": (
        "Het bestand staat niet in de vaste vorm (canonieke JSON): er is iets toegevoegd, weggelaten of "
        "verschoven."
    ),
    "fields": "Het bestand mist gegevens of heeft ongeldige gegevens: {fields}.",
    "format": "Dit is geen bundel van een Praat mee-loting (vorm {format}).",
    "commitment": (
        "De bundel hoort bij een andere toezegging: SHA-256 {actual}, de gepubliceerde toezegging heeft "
        "{expected}."
    ),
    "commitment_ok": "De bundel hoort bij de gepubliceerde toezegging (SHA-256 {hash}).",
    "edition": "De bundel hoort bij editie {actual}, de toezegging bij editie {expected}.",
    "meeting": "De bijeenkomst {meeting} staat niet in de toezegging.",
    "label": "Het label {label} hoort niet bij bijeenkomst {meeting}.",
    "quotas": "De doelen in de bundel zijn anders dan de toegezegde doelen van {meeting}.",
    "before": "De eerste loting van een bijeenkomst telt niemand die al eerder is geloot.",
    "quotas_ok": "De doelen zijn de toegezegde doelen.",
    "seats": "De bundel verloot {seats} plaatsen, maar de toezegging noemt er {capacity}.",
    "secret": "Het geheim in de bundel past niet bij de toezegging (SHA-256 {actual}, toegezegd {expected}).",
    "secret_ok": "Het geheim past bij de toegezegde vingerafdruk.",
    "chain": "De bundel gebruikt een andere keten van drand dan de toezegging.",
    "round": "De bundel gebruikt ronde {actual} van drand, maar toegezegd is ronde {expected}.",
    "beacon_ok": (
        "Ronde {round} van drand is echt: de handtekening klopt met de openbare sleutel van quicknet."
    ),
    "beacon": "{problem}",
    "randomness": "Het toevalsgetal in de bundel past niet bij de handtekening van ronde {round}.",
    "seed": "Het startgetal (seed) in de bundel klopt niet met label, ronde en geheim.",
    "seed_ok": "Het startgetal (seed) volgt uit het label, de ronde en het geheim.",
    "method": "De bundel is gemaakt met een andere rekenwijze ({actual}) dan deze versie ({expected}).",
    "numbers": "Meer dan eens in de groep aanmelders: lotnummer {numbers}.",
    "unknown": "In de uitslag, maar niet in de groep aanmelders: lotnummer {numbers}.",
    "twice": "Meer dan eens in de uitslag (panel en reservelijst samen): lotnummer {numbers}.",
    "left_out": "Niet in het panel en niet op de reservelijst: lotnummer {numbers}.",
    "same_kind": (
        "Dezelfde groepen als anderen, maar in de bundel een andere kans dan zij: lotnummer {numbers}."
    ),
    "probability": "De kans van lotnummer {number} is in de bundel {actual}, maar herberekend {expected}.",
    "probabilities_ok": "De kansen van alle {n} aanmelders kloppen.",
    "panel_missing": "Volgens de herberekening geloot, maar niet in het panel: lotnummer {numbers}.",
    "panel_extra": "In het panel, maar volgens de herberekening niet geloot: lotnummer {numbers}.",
    "panel_ok": "Het panel klopt: {n} geloot.",
    "reserves": (
        "De reservelijst klopt niet vanaf plaats {position}: in de bundel lotnummer {actual}, herberekend "
        "lotnummer {expected}."
    ),
    "reserves_ok": "De volgorde van de reservelijst klopt: {n} reserves.",
    "shortfalls": "De gemiste doelen in de bundel kloppen niet met de herberekening.",
    "recompute": "De loting kon niet opnieuw worden uitgerekend: {error}.",
    "too_early": "De bundel zegt geloot op {drawn_at}, vóór ronde {round} van drand bestond ({when}).",
    "more": "{first} (en nog {n})",
    "trial": (
        "De toezegging is een proef op een eigen computer: de ronde van drand bestond al toen die werd "
        "gemaakt. Deze controle laat zien hoe het werkt, maar bewijst niets over een echte loting."
    ),
    "code": (
        "Het programma op deze computer verschilt van de toegezegde versie (commit {commit}). Controleer "
        "met die versie: git checkout {commit}."
    ),
}
