"""How long browsers (and CloudFront) may keep each file of the static site: one rule for the local server and
the deployment, so both answer alike.

Material's own stylesheets and scripts carry a content hash in their names, so they may be kept for a year.
Our own assets (`assets/praatmee.css`, `assets/aanmelden.js`, the icon) keep fixed names, which the API's
link pages also use, so they are kept an hour. Pages are kept five minutes: the live seat counts come from the
API, never from a cached page.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

FINGERPRINTED = "public, max-age=31536000, immutable"
ASSET = "public, max-age=3600"
PAGE = "public, max-age=300"

# File patterns as the deployment's upload filters write them (`*` also matches `/`).
FINGERPRINTED_FILES = ("assets/stylesheets/*", "assets/javascripts/*")
PAGE_FILES = ("*.html",)


def cache_control(path: str) -> str:
    """The Cache-Control of a site path such as `/assets/praatmee.css` or `/bijeenkomsten/`."""
    relative = path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    if any(fnmatchcase(relative, pattern) for pattern in FINGERPRINTED_FILES):
        return FINGERPRINTED
    if any(fnmatchcase(relative, pattern) for pattern in PAGE_FILES):
        return PAGE
    return ASSET
