"""The Creatio package as `make package` zips it: the layout Creatio reads (descriptor.json, Schemas,
Data, Resources, Files with the built module) packed in Creatio's own .gz format, inside the zip
Creatio installs; and its parts agree with one another (names, the settings the module reads, the
view element the page places)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "creatio-package"


def _pack_module():
    spec = importlib.util.spec_from_file_location("creatio_pack", PACKAGE / "pack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pack = _pack_module()


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """The package's files with a module build of its own (the packer's test needs no npm)."""
    copy = tmp_path / "package"
    for part in pack.PACKAGE_PARTS:
        source = PACKAGE / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("webitel_users"))
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / part)
    module = copy / pack.MODULE
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text("/* the built module, é */ var webitel_users = {};", encoding="utf-8")
    shutil.copytree(PACKAGE / "remote-module" / "src", copy / "remote-module" / "src")  # kept beside, not packed
    return copy


def test_the_zip_holds_the_package_in_creatios_format(package_copy, tmp_path):
    out = pack.pack(package_copy, tmp_path / "dist" / "WebitelConnector.zip")
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["WebitelConnector.gz"]
        files = pack.read_gz(archive.read("WebitelConnector.gz"))
    expected = {str(path) for path in pack.package_files(package_copy)}
    assert set(files) == expected
    assert "Files/src/js/webitel_users/remoteEntry.js" in files
    assert not any(name.startswith("remote-module") for name in files)
    for name, content in files.items():
        assert content == (package_copy / name).read_bytes(), name
    raw = __import__("gzip").decompress(zipfile.ZipFile(out).read("WebitelConnector.gz"))
    assert "descriptor.json".encode("utf-16-le") in raw and b"\\\x00" in raw  # UTF-16 paths, Windows separators


def test_a_package_without_the_built_module_is_refused(package_copy, tmp_path):
    (package_copy / pack.MODULE).unlink()
    with pytest.raises(SystemExit, match="make module"):
        pack.pack(package_copy, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()


def test_the_parts_agree():
    descriptor = json.loads((PACKAGE / "descriptor.json").read_text())["Descriptor"]
    assert descriptor["Name"] == "WebitelConnector" and re.fullmatch(r"[0-9a-f-]{36}", descriptor["UId"])
    uids = [descriptor["UId"]]
    for path in PACKAGE.glob("Schemas/*/descriptor.json"):
        schema = json.loads(path.read_text())["Descriptor"]
        assert schema["Name"] == path.parent.name and (path.parent / f"{path.parent.name}.js").is_file()
        assert (PACKAGE / "Resources" / f"{schema['Name']}.ClientUnit" / "resource.en-US.xml").is_file()
        uids.append(schema["UId"])
    codes = set()
    for path in PACKAGE.glob("Data/*/descriptor.json"):
        binding = json.loads(path.read_text())["Descriptor"]
        assert binding["Name"] == path.parent.name
        uids.append(binding["UId"])
        columns = {c["ColumnUId"]: c["ColumnName"] for c in binding["Columns"]}
        for row in json.loads((path.parent / "data.json").read_text())["PackageData"]:
            values = {columns[cell["SchemaColumnUId"]]: cell["Value"] for cell in row["Row"]}
            codes.add(values["Code"])
    assert len(uids) == len(set(uids))
    connector_ts = (PACKAGE / "remote-module" / "src" / "connector.ts").read_text()
    read = set(re.findall(r'_SETTING = "(\w+)"', connector_ts))
    assert read == codes == {"UsrWebitelConnectorUrl", "UsrWebitelConnectorToken"}
    page = (PACKAGE / "Schemas" / "UsrWebitelUsersPage" / "UsrWebitelUsersPage.js").read_text()
    section = (PACKAGE / "remote-module" / "src" / "section.component.ts").read_text()
    placed = re.search(r'"type": "(usr\.\w+)"', page)
    assert placed and f'type: "{placed.group(1)}"' in section
