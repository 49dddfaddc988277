"""`make serve` runs `praatmee serve`: it serves the site on the given port and stops cleanly on Ctrl-C."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from praatmee import caching
from praatmee.laptop.serve import ROOT, make_server
from tests.conftest import free_port

JSON = "application/json"


def test_serve_answers_on_the_chosen_port_and_stops_on_sigint(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "praatmee.laptop.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # The API logs to stdout too; this test reads only the lines `praatmee serve` prints itself.
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in banner

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bijeenkomsten/", timeout=5) as answer:
            assert answer.status == 200
            assert "Regio Noord" in answer.read().decode("utf-8")

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Gestopt." in process.stdout.read()
    finally:
        process.kill()


def test_simultaneous_requests_to_the_local_stack_each_get_their_own_answer(site_url: str) -> None:
    # Given many people signing up at once, for different meetings
    def sign_up(n: int) -> tuple[str, int, str]:
        meeting = ("online", "midden-utrecht")[n % 2]
        body = {
            "meeting": meeting, "name": f"Tegelijk {n}", "email": f"tegelijk-{n}-{time.time_ns()}@example.nl",
            "role": "ouder", "sector": "vo", "themes": ["leergedrag"], "privacy_consent": True,
        }  # fmt: skip
        request = urllib.request.Request(
            site_url + "/api/registrations", data=json.dumps(body).encode(), headers={"Content-Type": JSON}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return meeting, answer.status, json.loads(answer.read())["meeting"]

    # When they all post at the same moment
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(sign_up, range(32)))

    # Then each answer is about the request that asked for it
    assert [(status, answered) for meeting, status, answered in answers] == [
        (201, meeting) for meeting, _, _ in answers
    ]


def test_query_parameters_reach_the_handler_percent_decoded_as_api_gateway_hands_them_over() -> None:
    from praatmee.laptop.gateway import to_event

    event = to_event(
        "GET", "/organisatie/deelnemers/?email=noor%40example.nl&naam=de%20Vries", [], b"", "::1"
    )

    assert event["queryStringParameters"] == {"email": "noor@example.nl", "naam": "de Vries"}
    assert event["rawQueryString"] == "email=noor%40example.nl&naam=de%20Vries"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", caching.PAGE),
        ("/bijeenkomsten/", caching.PAGE),
        ("/assets/praatmee.css", caching.ASSET),
        ("/assets/favicon.svg", caching.ASSET),
    ],
)
def test_the_local_site_sends_the_same_cache_lifetimes_as_the_deployment(
    site_url: str, path: str, expected: str
) -> None:
    with urllib.request.urlopen(site_url + path, timeout=10) as answer:
        assert answer.headers["Cache-Control"] == expected


def test_material_hashed_files_are_kept_a_year_and_the_api_keeps_its_own_headers(
    site_url: str, built_site: Path
) -> None:
    [stylesheet] = (built_site / "assets" / "stylesheets").glob("main.*.min.css")
    with urllib.request.urlopen(f"{site_url}/assets/stylesheets/{stylesheet.name}", timeout=10) as answer:
        assert answer.headers["Cache-Control"] == caching.FINGERPRINTED
    # (the live seat counts: the local server adds no lifetime of a static file to an answer of the API)
    with urllib.request.urlopen(site_url + "/api/meetings", timeout=10) as answer:
        assert answer.headers["Cache-Control"] not in (caching.PAGE, caching.ASSET, caching.FINGERPRINTED)


@pytest.mark.parametrize("path", ["/api/registrations", "/api/cancellations", "/api/consents"])
def test_a_post_without_content_type_gets_the_contracts_415_in_json(site_url: str, path: str) -> None:
    # Given a client that sends a body but no Content-Type header at all (urllib would add one)
    host, port = site_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Length", "2")
    connection.endheaders(b"{}")

    # Then the answer is the contract's 415 with a JSON error list
    answer = connection.getresponse()
    assert answer.status == 415
    assert answer.getheader("Content-Type", "").startswith("application/json")
    assert json.loads(answer.read())["errors"][0]["code"] == "unsupported_media_type"
    connection.close()


def test_an_unknown_page_gets_the_sites_dutch_404_and_the_api_keeps_its_json_404(site_url: str) -> None:
    # When someone opens a page that does not exist, and an unknown path of the API
    with pytest.raises(urllib.error.HTTPError) as page:
        urllib.request.urlopen(site_url + "/bestaat-niet/", timeout=10)
    with pytest.raises(urllib.error.HTTPError) as api:
        urllib.request.urlopen(site_url + "/api/bestaat-niet", timeout=10)

    # Then the page is the site's own, in Dutch, with a way on; the API still answers JSON
    assert page.value.code == 404
    text = page.value.read().decode()
    assert '<html lang="nl"' in text
    assert "<h1>Deze pagina bestaat niet</h1>" in text
    assert 'href="/aanmelden/"' in text
    assert api.value.code == 404
    assert json.loads(api.value.read())["errors"][0]["code"] == "not_found"


def test_a_kilobyte_of_open_brackets_gets_an_answer_from_the_local_stack_not_a_dropped_connection(
    site_url: str,
) -> None:
    # When someone posts `[` a thousand times to the local API (the handler raised, so the connection dropped)
    request = urllib.request.Request(
        site_url + "/api/registrations", data=b"[" * 1000, headers={"Content-Type": JSON}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    # Then it answers the contract's 400 in JSON
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["errors"][0]["code"] == "malformed_body"


def test_a_handler_that_fails_gets_api_gateways_500_not_a_dropped_connection(tmp_path: Path) -> None:
    # Given the local server with a function that raises (as an unexpected bug would)
    def failing(event: Any, context: Any) -> dict[str, Any]:
        raise RecursionError("a bug")

    server = make_server("127.0.0.1", 0, tmp_path, api=failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # When a request reaches it
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_address[1]}/api/registrations",
            data=b"{}",
            headers={"Content-Type": JSON},
        )
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=10)

        # Then it answers as API Gateway does when a function fails
        assert failed.value.code == 500
        assert json.loads(failed.value.read()) == {"message": "Internal Server Error"}
    finally:
        server.shutdown()
        server.server_close()
