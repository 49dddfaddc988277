"""MkDocs hook: after every build, the pages load one small stylesheet: the rules of Material's stylesheet
that the built pages use, followed by our own (`extra_css`).

Material ships one stylesheet of about 137 KiB for every feature it has; our pages use a fifth of it. PurgeCSS
(pinned in package.json, installed by `npm ci`) reads every built page and our own scripts, and drops the
rules whose selectors they never name. Material's JavaScript, which would add classes at run time, is not
loaded (DECISIONS.md), so the pages and our scripts are all there is to read. One file instead of two saves
the first paint a request; it is named by a hash of its content, as Material's file was, because it is
cached for a year. `assets/praatmee.css` itself stays, for the API's own pages. Then the theme's other files
that no page loads (its JavaScript, the search index's languages, the palette stylesheet, source maps) are
left out of the site, so a deploy does not upload them.

`mkdocs build`, `make serve`, `make test` and the deploy all build through mkdocs, so all of them get it.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
PURGECSS = ROOT / "node_modules" / ".bin" / "purgecss"
# Material's stylesheet as the pages link it: `assets/stylesheets/main.57a0d79d.min.css`.
THEME_SHEET = re.compile(r"assets/stylesheets/main\.[0-9a-f]{8}\.min\.css")
# Our own scripts add classes at run time (`pm-group--error`); they are read as content too.
CONTENT = ("**/*.html", "assets/*.js")
# Where Material puts its own files; ours are in `assets/` itself (docs/assets), and stay.
THEME_FOLDERS = ("assets/images", "assets/javascripts", "assets/stylesheets")
LINKED = re.compile(r'(?:href|src)="(?:\.\./|/)*(assets/[^"?#]+)')


def on_post_build(config: Any, **_: Any) -> None:
    site = Path(config["site_dir"])
    bundle_site(site, [str(css) for css in config["extra_css"]])
    drop_unused_theme_files(site)


def bundle_site(site: Path, extra_css: list[str], purgecss: Path = PURGECSS) -> str:
    """Write the purged theme rules plus `extra_css` as `assets/stylesheets/main.<hash>.min.css`, point every
    page at it instead of the theme's file and the extra ones, remove the theme's file and its source map;
    return the new file's path within the site."""
    if not purgecss.is_file():
        raise PluginError(f"PurgeCSS ontbreekt ({purgecss}): voer eerst `npm ci` uit (of `make site`).")
    pages = sorted(site.rglob("*.html"))
    linked = {match.group(0) for page in pages for match in THEME_SHEET.finditer(_read(page))}
    if len(linked) != 1:
        raise PluginError(f"De pagina's linken niet precies één stylesheet van Material: {sorted(linked)}")
    (theme,) = linked
    with tempfile.TemporaryDirectory() as out:
        _run(purgecss, site, site / theme, Path(out))
        purged = (Path(out) / Path(theme).name).read_text(encoding="utf-8")
    own = [(site / css).read_text(encoding="utf-8") for css in extra_css]
    bundle = "\n".join([purged, *own]).encode("utf-8")
    target = f"assets/stylesheets/main.{hashlib.sha256(bundle).hexdigest()[:8]}.min.css"
    (site / theme).unlink()
    (site / f"{theme}.map").unlink(missing_ok=True)
    (site / target).write_bytes(bundle)
    extra_links = [
        re.compile(rf'\s*<link rel="stylesheet" href="(?:\.\./|/)*{re.escape(css)}">') for css in extra_css
    ]
    for page in pages:
        text = THEME_SHEET.sub(target, _read(page))
        for link in extra_links:
            text = link.sub("", text)
        page.write_text(text, encoding="utf-8")
    return target


def drop_unused_theme_files(site: Path) -> list[str]:
    """Remove the theme's files that no built page links; return their paths within the site."""
    linked = {match.group(1) for page in site.rglob("*.html") for match in LINKED.finditer(_read(page))}
    dropped = []
    for folder in THEME_FOLDERS:
        for path in sorted((site / folder).rglob("*")):
            name = path.relative_to(site).as_posix()
            if path.is_file() and name not in linked:
                path.unlink()
                dropped.append(name)
        for empty in sorted((site / folder).rglob("*"), reverse=True):  # deepest first
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()
    return dropped


def _read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _run(purgecss: Path, site: Path, sheet: Path, out: Path) -> None:
    command = [
        str(purgecss),
        "--css",
        str(sheet),
        "--content",
        *(str(site / pattern) for pattern in CONTENT),
        "--output",
        str(out),
        # Custom properties, keyframes and font faces that no kept rule uses go too.
        "--variables",
        "--keyframes",
        "--font-face",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our pinned tool
    if done.returncode != 0:
        raise PluginError(f"PurgeCSS stopte met code {done.returncode}:\n{done.stdout}{done.stderr}")
