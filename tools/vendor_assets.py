"""Vendors the bpmn-js navigated viewer into web/static/vendor/bpmn-js/ and Swagger UI (the
API's documentation page, /api/v1/docs) into web/static/vendor/swagger-ui/, from the npm
registry.

Run: .venv/bin/python -m tools.vendor_assets [bpmn-js|swagger-ui-dist]   (needs npm and the
registry; then review the diff)

Offices run on closed networks, so the web UI never links to a CDN: the viewer's script, its two
stylesheets and its icon font are copied from the published tarball at a pinned version, and
web/static/vendor/VENDOR.json records the version, the tarball, the licence and the sha256 of
every copied file. The licence asks that the bpmn.io watermark in rendered diagrams stays
visible and unchanged: diagram.js keeps it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "web" / "static" / "vendor"
PACKAGE = "bpmn-js"
VERSION = "18.31.1"
LICENCE = "bpmn.io license (MIT with the condition that the bpmn.io watermark stays visible)"

# Tarball path (under package/) -> path under web/static/vendor/bpmn-js/.
FILES = {
    "dist/bpmn-navigated-viewer.production.min.js": "bpmn-navigated-viewer.production.min.js",
    "dist/assets/bpmn-js.css": "assets/bpmn-js.css",
    "dist/assets/diagram-js.css": "assets/diagram-js.css",
    "LICENSE": "LICENSE",
}
# Swagger UI's self-contained bundle and stylesheet (Apache-2.0; its NOTICE travels with it).
SWAGGER = "swagger-ui-dist"
SWAGGER_VERSION = "5.35.0"
SWAGGER_DIR = "swagger-ui"
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
    "swagger-ui.css": "swagger-ui.css",
    "LICENSE": "LICENSE",
    "NOTICE": "NOTICE",
}
FONT_DIR = "dist/assets/bpmn-font/"
FONT_SUFFIXES = (".css", ".woff", ".woff2", ".ttf", ".eot", ".svg")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack(workdir: Path, package: str, version: str) -> Path:
    """`npm pack` the exact version into workdir; returns the tarball."""
    result = subprocess.run(
        ["npm", "pack", f"{package}@{version}", "--json", "--ignore-scripts"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"npm pack {package}@{version} failed:\n{result.stderr}")
    name: str = json.loads(result.stdout)[0]["filename"]
    return workdir / name


def wanted(members: list[str], files: dict[str, str] = FILES) -> dict[str, str]:
    """Tarball member -> target path, for the fixed files and every file of the icon font."""
    chosen = {}
    for member in members:
        inner = member.removeprefix("package/")
        if inner in files:
            chosen[member] = files[inner]
        elif inner.startswith(FONT_DIR) and inner.endswith(FONT_SUFFIXES):
            chosen[member] = "assets/" + inner.removeprefix("dist/assets/")
    missing = set(files.values()) - set(chosen.values())
    if missing:
        raise SystemExit(f"the tarball lacks: {', '.join(sorted(missing))}")
    return chosen


def extract(tarball: Path, target: Path, files: dict[str, str] = FILES) -> dict[str, str]:
    """Copy the chosen files into target (emptied first); returns {path: sha256}."""
    if target.exists():
        shutil.rmtree(target)
    hashes = {}
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        for member, relative in sorted(wanted(list(members), files).items()):
            # Names come from a fixed table or a checked prefix; still refuse any escape.
            if ".." in PurePosixPath(relative).parts:
                raise SystemExit(f"refusing a path outside the vendor folder: {relative}")
            source = archive.extractfile(members[member])
            assert source is not None
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read())
            hashes[relative] = sha256(destination)
    return hashes


def record(vendor_dir: Path, package: str, entry: dict[str, object]) -> None:
    path = vendor_dir / "VENDOR.json"
    existing = json.loads(path.read_text("utf-8")) if path.exists() else {}
    existing[package] = entry
    path.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n", "utf-8")


def vendor(out: Path, package: str, version: str) -> None:
    """Fetch one package at `version`, copy its files and record them in VENDOR.json."""
    swagger = package == SWAGGER
    folder = SWAGGER_DIR if swagger else PACKAGE
    with tempfile.TemporaryDirectory() as temporary:
        tarball = pack(Path(temporary), package, version)
        how = f"npm pack {package}@{version}"
        tarball_sha = sha256(tarball)
        hashes = extract(tarball, out / folder, SWAGGER_FILES if swagger else FILES)
        record(
            out,
            package,
            {
                "version": version,
                "source": f"npm registry tarball {tarball.name} ({how})",
                "tarball_sha256": tarball_sha,
                "licence": "Apache-2.0" if swagger else LICENCE,
                "licence_file": f"{folder}/LICENSE",
                "files": hashes,
            },
        )
    print(f"vendored {package}@{version}: {len(hashes)} files into {out / folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help=f"{PACKAGE} and/or {SWAGGER} (default: both)")
    parser.add_argument("--version", help="the version of the one package named")
    parser.add_argument("--out", type=Path, default=VENDOR_DIR, help="the vendor folder")
    args = parser.parse_args(argv)
    packages = args.packages or [PACKAGE, SWAGGER]
    if unknown := set(packages) - {PACKAGE, SWAGGER}:
        parser.error(f"unknown package: {', '.join(sorted(unknown))}")
    if args.version and len(packages) != 1:
        parser.error("--version needs exactly one package")
    for package in packages:
        pinned = VERSION if package == PACKAGE else SWAGGER_VERSION
        vendor(args.out, package, args.version or pinned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
