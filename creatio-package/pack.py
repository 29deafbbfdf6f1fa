"""Packs this folder, a Creatio package, into a zip Creatio installs (Configuration → Install package,
or `clio push-pkg`): WebitelConnector.zip holding WebitelConnector.gz, in the format Creatio's own
export writes (clio's CompressionUtilities): for each file, its relative path (a 32-bit little-endian
count of UTF-16 code units, then the UTF-16LE path with backslashes) and its content (a 32-bit
little-endian byte count, then the bytes), the whole stream gzipped.

The remote module's build (Files/src/js/webitel_users/remoteEntry.js, `make module`) must be there: a
package without it would install a section that shows nothing."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE_PARTS = ("descriptor.json", "Schemas", "Data", "Resources", "Files")
MODULE = Path("Files/src/js/webitel_users/remoteEntry.js")


def package_files(root: Path) -> list[Path]:
    """The package's files (relative to ``root``), in a stable order: what Creatio reads, without the
    module's sources, tools or anything else kept beside it."""
    found: list[Path] = []
    for part in PACKAGE_PARTS:
        path = root / part
        if path.is_file():
            found.append(path.relative_to(root))
        elif path.is_dir():
            found += sorted(p.relative_to(root) for p in path.rglob("*") if p.is_file())
    return found


def gz_bytes(root: Path, files: list[Path]) -> bytes:
    stream = io.BytesIO()
    for relative in files:
        name = str(relative).replace("/", "\\").encode("utf-16-le")
        content = (root / relative).read_bytes()
        stream.write(struct.pack("<i", len(name) // 2) + name)
        stream.write(struct.pack("<i", len(content)) + content)
    return gzip.compress(stream.getvalue(), mtime=0)


def read_gz(data: bytes) -> dict[str, bytes]:
    """The files of a packed package, by relative path (``/`` separated): the format's reader."""
    raw, files, at = gzip.decompress(data), {}, 0
    while at < len(raw):
        (chars,) = struct.unpack_from("<i", raw, at)
        at += 4
        name = raw[at:at + 2 * chars].decode("utf-16-le").replace("\\", "/")
        at += 2 * chars
        (size,) = struct.unpack_from("<i", raw, at)
        at += 4
        files[name] = raw[at:at + size]
        at += size
    return files


def pack(root: Path, out: Path) -> Path:
    if not (root / MODULE).is_file():
        raise SystemExit(f"pack: {root / MODULE} is missing: build the remote module first (make module)")
    name = json.loads((root / "descriptor.json").read_text(encoding="utf-8"))["Descriptor"]["Name"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.gz", gz_bytes(root, package_files(root)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=HERE, help="the package folder (default: this one)")
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    args = parser.parse_args(argv)
    out = pack(args.package, args.out)
    print(f"packed {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
