"""Vendors the bpmn-js navigated viewer into web/static/vendor/bpmn-js/ from the npm registry.

Run: .venv/bin/python -m tools.vendor_assets   (needs npm and the registry; then review the diff)

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


def wanted(members: list[str]) -> dict[str, str]:
    """Tarball member -> target path, for the fixed files and every file of the icon font."""
    chosen = {}
    for member in members:
        inner = member.removeprefix("package/")
        if inner in FILES:
            chosen[member] = FILES[inner]
        elif inner.startswith(FONT_DIR) and inner.endswith(FONT_SUFFIXES):
            chosen[member] = "assets/" + inner.removeprefix("dist/assets/")
    missing = set(FILES.values()) - set(chosen.values())
    if missing:
        raise SystemExit(f"the tarball lacks: {', '.join(sorted(missing))}")
    return chosen


def extract(tarball: Path, target: Path) -> dict[str, str]:
    """Copy the chosen files into target (emptied first); returns {path: sha256}."""
    if target.exists():
        shutil.rmtree(target)
    hashes = {}
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        for member, relative in sorted(wanted(list(members)).items()):
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION, help="bpmn-js version (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=VENDOR_DIR, help="the vendor folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        tarball = pack(Path(temporary), PACKAGE, args.version)
        how = f"npm pack {PACKAGE}@{args.version}"
        tarball_sha = sha256(tarball)
        hashes = extract(tarball, args.out / PACKAGE)
        record(
            args.out,
            PACKAGE,
            {
                "version": args.version,
                "source": f"npm registry tarball {tarball.name} ({how})",
                "tarball_sha256": tarball_sha,
                "licence": LICENCE,
                "licence_file": f"{PACKAGE}/LICENSE",
                "files": hashes,
            },
        )
    print(f"vendored {PACKAGE}@{args.version}: {len(hashes)} files into {args.out / PACKAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
