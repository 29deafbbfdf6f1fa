"""The Creatio package as `make package` zips it: the layout Creatio reads (descriptor.json, Schemas,
Data, Resources, Files with the built module) packed in Creatio's own .gz format, inside the zip
Creatio installs; and its parts agree with one another and with Creatio's own base schemas: every
data binding uses the columns its base schema has (the table below, taken from packages Creatio
exported), the section record opens our page in the Contact Center workplace, every reference
resolves inside the package or to a record every Creatio has, the settings are the ones the module
reads, and the page places the module's element in its template's container."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import uuid
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
        elif source.is_file():
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / part)  # Files/ is absent until `make module`: the copy builds its own
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
    for part in ("Data/SysModule_UsrWebitelUsers/Localization/data.en-US.json",
                 "Data/SysModuleInWorkplace_UsrWebitelUsers/data.json", "Data/SysWorkplace_ContactCenter/data.json",
                 "Data/SysSettings_UsrWebitelConnectorUrl/Localization/data.en-US.json",
                 "Schemas/UsrWebitelUser/metadata.json", "Schemas/UsrWebitelUsersPage/properties.json",
                 "Resources/UsrWebitelUser.Entity/resource.en-US.xml"):
        assert part in files, part
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


# Data value types (a binding column's DataTypeValueUId), as clio's CreatioDataValueType lists them.
GUID, LOOKUP, INTEGER, BOOLEAN = ("23018567-a13c-4320-8687-fd6f9e3699bd", "b295071f-7ea9-4e62-8d1a-919bf3732ff2",
                                  "6b6b74e2-820d-490e-a017-2b73d4ccf2b0", "90b65bf8-0ffc-4141-8779-2420877af907")
SHORT_TEXT, MEDIUM_TEXT, MAX_SIZE_TEXT = ("325a73b8-0f47-44a0-8412-7606f78003ac",
                                          "ddb3a1ee-07e8-4d62-b7a9-d0e618b00fbd",
                                          "c0f04627-4620-4bc0-84e5-9419dc8516b1")
ID = ("ae0e45ca-c495-4fe7-a39d-3ab7278e1617", GUID)
POSITION = ("bd12ea8e-2bc2-42bf-925a-3ab766cc0b9f", INTEGER)

# Creatio's base schemas the package binds data of: schema UId, and per column its UId and data value
# type, as packages exported by Creatio 8.3 carry them (public repositories ytodosan/GLSepTest1,
# package UsrYacht: Data/SysSettings_MyUsefulSite, SysModule_UsrYachts, SysModuleEntity_UsrYachts,
# SysModuleInWorkplace_UsrYachts, SysWorkplace_MyApps, SysAdminUnitInWorkplace_MyApps). Only the
# columns the package uses are listed.
BASE_SCHEMAS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "SysSettings": ("27aeadd6-d508-4572-8061-5b55b667c902", {
        "Id": ID, "Name": ("736c30a7-c0ec-4fa9-b034-2552b319b633", MEDIUM_TEXT),
        "Code": ("13aad544-ec30-4e76-a373-f0cff3202e24", SHORT_TEXT),
        "ValueTypeName": ("f7960a8a-1fd4-41d2-997a-fd78ea60075f", MEDIUM_TEXT),
        "Description": ("9e53fd7c-dde4-4502-a64c-b9e34148108b", MAX_SIZE_TEXT),
        "IsCacheable": ("eb971f1a-dd41-4668-99aa-1f2a6b61a1b9", BOOLEAN),
        "IsPersonal": ("764cd95a-59b3-4060-b17f-2797d5c76aaa", BOOLEAN),
        "IsSSPAvailable": ("64fadca1-ab7c-4471-9d25-68599acc729b", BOOLEAN)}),
    "SysModule": ("2b2ed767-0b4b-4a7b-9de2-d48e14a2c0c5", {
        "Id": ID, "Code": ("e0c474a3-e4bc-457e-bb67-c1ec1b399f60", MEDIUM_TEXT),
        "Type": ("1e4741cc-9a6e-446f-9865-5f5910fadd67", INTEGER),
        "SectionSchemaUId": ("af5bbb5e-9c78-44b7-8fdd-2bfc4353b4a8", GUID),
        "SectionModuleSchemaUId": ("d57c3c34-e293-4aed-bff6-91dc90408958", GUID),
        "CardSchemaUId": ("327a0dc4-df63-4f6e-9d33-bc403d284cb6", GUID),
        "CardModuleUId": ("cb4bb1d2-d369-406e-8150-502dd7af2199", GUID),
        "SysModuleEntity": ("3f098e0d-6cbd-4e8f-bc3e-00709f2d8d82", LOOKUP),
        "IconBackground": ("48ed5be5-6dcd-44ba-6294-a29c8daef880", SHORT_TEXT),
        "GlobalSearchAvailable": ("eea74681-e019-4885-9a1e-e8261f2665ea", BOOLEAN),
        "HasAnalytics": ("34dfc288-1b25-4d53-bdf3-16b58a84e276", BOOLEAN),
        "HasActions": ("a0fd39b2-b680-4515-ac3c-72322db4f1b8", BOOLEAN),
        "HasRecent": ("80769c54-f4f4-43cb-93f8-0824715969a6", BOOLEAN),
        "IsSystem": ("dedaabd6-732d-47ac-b229-50a8ee02292c", BOOLEAN),
        "Caption": ("3da3c3b2-02fb-4cca-80c3-7946d4e8f565", SHORT_TEXT),
        "Description": ("48b260f5-5aad-608c-73a9-2b835ef697f4", MAX_SIZE_TEXT),
        "ModuleHeader": ("7b904e78-84bf-408c-a7a1-1287e66837d3", SHORT_TEXT)}),
    "SysModuleEntity": ("9c762665-90ad-497b-ac4b-45bb729630a1", {
        "Id": ID, "SysEntitySchemaUId": ("0c59594b-490a-4b55-a564-5841cfae3c19", GUID),
        "TypeColumnUId": ("3107ef98-a02e-4ea8-809a-67dc3025ef4a", GUID)}),
    "SysModuleInWorkplace": ("a8b20179-02be-4a13-8908-9fc51cb9f66d", {
        "Id": ID, "SysModule": ("991cf5ef-ffb8-49a5-add3-074a595f6c43", LOOKUP),
        "SysWorkplace": ("0e3d3857-2203-40e4-b1ec-8e972007650e", LOOKUP), "Position": POSITION}),
    "SysWorkplace": ("f54121e1-d75d-42e0-b790-bc8aa0bb216c", {
        "Id": ID, "Name": ("215e82ee-20b0-4aa2-af3b-ff06cbc6da52", MEDIUM_TEXT), "Position": POSITION,
        "LoaderId": ("8fe2b261-a69f-4846-bf82-f36e564d0aa4", GUID),
        "Type": ("dae36990-bfb4-4f13-ae18-1b18b6081983", LOOKUP),
        "SysApplicationClientType": ("445c4583-2f21-4d2b-a6ba-c33108797ae0", LOOKUP)}),
    "SysAdminUnitInWorkplace": ("c24608d4-6299-45ab-8b08-84cbdff67d9a", {
        "Id": ID, "SysWorkplace": ("d5cfaf4a-0900-4ef9-aee8-2ede7f9d97fb", LOOKUP),
        "SysAdminUnit": ("b96bb4ca-a133-44f1-aa7d-24495d89e278", LOOKUP)}),
}

# Records and schemas every Creatio has that the package refers to (not in the package), with where
# they were seen: the same exports, and Creatio's own configuration as public repositories hold it.
PLATFORM = {
    # the module showing a Freedom UI section's page: the SectionModuleSchemaUId of the exported
    # Freedom UI section, and Workplace/Files/cs/Url/UrlGenerator.cs ("Section schema view module")
    "12244568-6d4f-f201-ed26-ac3913021080": "SectionSchemaViewModule",
    "c3382be3-6619-9256-2260-93d87cf0d9b5": "the exported Freedom UI section's CardModuleUId",
    "83a43ebc-f36b-1410-298d-001e8c82bcad": "the System administrators role (SysAdminUnitInWorkplace_MyApps)",
    "3707a058-e6a8-4d2c-99cc-d01d9e6b70c6": "the workplace loader of SysWorkplace_MyApps",
    "000a9225-728b-4778-a951-c42439ffe024": "workplace type General (SysWorkplace_MyApps)",
    "195785b4-f55a-4e72-ace3-6480b54c8fa5": "application client type Web (SysWorkplace_MyApps)",
}
SECTION_MODULE = "12244568-6d4f-f201-ed26-ac3913021080"
SYSTEM_ADMINISTRATORS = "83a43ebc-f36b-1410-298d-001e8c82bcad"
# The Freedom UI blank page: its UId and root container, as Creatio's own BlankPageTemplate defines
# them (CrtUIPlatform/Autogenerated/Src/BlankPageTemplate.CrtUIPlatform.js in ytodosan/GLSepTest1;
# the CrtUIv2 one of 8.0/8.1 has the same UId and container).
BLANK_PAGE_TEMPLATE = ("f691e828-0b36-42a7-898f-c337e9af67d0", "MainContainer")
BASE_LOOKUP = "11ab4bcb-9b23-4b6d-9c86-520fae925d75"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _bindings() -> dict[str, tuple[dict, list[dict[str, object]]]]:
    """Each data binding by name: its descriptor, and its rows as {column name: value}, the localized
    columns (Localization/data.en-US.json) merged into the row of the same Id."""
    found = {}
    for path in sorted(PACKAGE.glob("Data/*/descriptor.json")):
        descriptor = _json(path)["Descriptor"]
        names = {c["ColumnUId"]: c["ColumnName"] for c in descriptor["Columns"]}
        rows = [{names[cell["SchemaColumnUId"]]: cell["Value"] for cell in row["Row"]}
                for row in _json(path.parent / "data.json")["PackageData"]]
        localization = path.parent / "Localization" / "data.en-US.json"
        if localization.exists():
            for row in _json(localization)["PackageData"]:
                cells = {}
                for cell in row["Row"]:
                    assert names[cell["SchemaColumnUId"]] == cell["ColumnName"], (path, cell)
                    cells[cell["ColumnName"]] = cell["Value"]
                [target] = [r for r in rows if r["Id"] == cells["Id"]]
                target.update(cells)
        found[descriptor["Name"]] = (descriptor, rows)
    return found


def _schema(name: str) -> dict:
    return _json(PACKAGE / "Schemas" / name / "descriptor.json")["Descriptor"]


def _row(bindings, name: str) -> dict[str, object]:
    [row] = bindings[name][1]
    return row


def test_every_binding_uses_its_base_schemas_columns():
    bindings = _bindings()
    assert {descriptor["Schema"]["Name"] for descriptor, _ in bindings.values()} == set(BASE_SCHEMAS)
    for name, (descriptor, rows) in bindings.items():
        schema_uid, columns = BASE_SCHEMAS[descriptor["Schema"]["Name"]]
        assert descriptor["Schema"]["UId"] == schema_uid, name
        assert name.startswith(descriptor["Schema"]["Name"] + "_")
        assert (PACKAGE / "Data" / name / "filter.json").exists()
        for column in descriptor["Columns"]:
            assert columns[column["ColumnName"]] == (column["ColumnUId"], column["DataTypeValueUId"]), (name, column)
            assert column["IsKey"] == (column["ColumnName"] == "Id"), (name, column)
        declared = {c["ColumnName"] for c in descriptor["Columns"]}
        for row in rows:
            assert set(row) == declared, (name, declared ^ set(row))  # every column it declares, nothing else


def test_the_section_opens_our_page_in_the_contact_center_workplace():
    bindings = _bindings()
    page, entity = _schema("UsrWebitelUsersPage"), _schema("UsrWebitelUser")
    section = _row(bindings, "SysModule_UsrWebitelUsers")
    assert section["Caption"] == "Webitel users" and section["Code"] == "UsrWebitelUsers" and section["Type"] == 0
    assert section["SectionSchemaUId"] == page["UId"] and section["SectionModuleSchemaUId"] == SECTION_MODULE
    module_entity = _row(bindings, "SysModuleEntity_UsrWebitelUser")
    # Creatio lists a workplace's sections by joining SysModule to SysModuleEntity (an inner join in
    # its Workplace package's Section/SectionRepository.cs), so the section needs its entity record,
    # and that record an object schema
    assert section["SysModuleEntity"] == module_entity["Id"]
    assert module_entity["SysEntitySchemaUId"] == entity["UId"] and entity["Parent"]["UId"] == BASE_LOOKUP
    workplace = _row(bindings, "SysWorkplace_ContactCenter")
    assert workplace["Name"] == "Contact Center"
    in_workplace = _row(bindings, "SysModuleInWorkplace_UsrWebitelUsers")
    assert (in_workplace["SysModule"], in_workplace["SysWorkplace"]) == (section["Id"], workplace["Id"])
    access = _row(bindings, "SysAdminUnitInWorkplace_ContactCenter")
    assert (access["SysWorkplace"], access["SysAdminUnit"]) == (workplace["Id"], SYSTEM_ADMINISTRATORS)


def test_every_reference_resolves_inside_the_package_or_to_a_platform_record():
    bindings = _bindings()
    records = {row["Id"] for _, rows in bindings.values() for row in rows}
    schemas = {_schema(path.parent.name)["UId"] for path in PACKAGE.glob("Schemas/*/descriptor.json")}
    checked = 0
    for name, (descriptor, rows) in bindings.items():
        kinds = {c["ColumnName"]: c["DataTypeValueUId"] for c in descriptor["Columns"]}
        for row in rows:
            for column, value in row.items():
                if column == "Id" or kinds[column] not in (GUID, LOOKUP) or value == "null":
                    continue
                target = records if kinds[column] == LOOKUP else schemas
                assert value in target or value in PLATFORM, (name, column, value)
                checked += 1
    assert checked >= 12  # the section's pages, module, entity; the workplace's links; its access


def test_the_ids_the_package_mints_are_its_own():
    """Binding, schema and record ids are name-based (version 5) UUIDs of the package's own, none
    borrowed from another package, and none used twice."""
    bindings = _bindings()
    minted = [_json(PACKAGE / "descriptor.json")["Descriptor"]["UId"]]
    minted += [descriptor["UId"] for descriptor, _ in bindings.values()]
    minted += [row["Id"] for _, rows in bindings.values() for row in rows]
    minted += [_schema(path.parent.name)["UId"] for path in PACKAGE.glob("Schemas/*/descriptor.json")]
    assert len(minted) == len(set(minted)) >= 14
    assert all(uuid.UUID(value).version == 5 for value in minted), minted


def test_the_schemas_agree_with_their_templates():
    descriptor = _json(PACKAGE / "descriptor.json")["Descriptor"]
    assert descriptor["Name"] == "WebitelConnector"
    # exported packages that use BaseLookup, Freedom UI templates and SysModule depend on CrtCore alone
    assert [d["Name"] for d in descriptor["DependsOn"]] == ["CrtCore"]
    for path in PACKAGE.glob("Schemas/*/descriptor.json"):
        schema = _json(path)["Descriptor"]
        folder, name = path.parent, path.parent.name
        assert schema["Name"] == name
        metadata = (folder / "metadata.json").read_text(encoding="utf-8")
        assert f'= MetaData.Schema.UId "{schema["UId"]}"' in metadata and f'= MetaData.Schema.A2 "{name}"' in metadata
        assert f'= MetaData.Schema.B6 "{descriptor["UId"]}"' in metadata  # the package holding it
        kind = {"ClientUnitSchemaManager": "ClientUnit", "EntitySchemaManager": "Entity"}[schema["ManagerName"]]
        resource = (PACKAGE / "Resources" / f"{name}.{kind}" / "resource.en-US.xml").read_text(encoding="utf-8")
        assert f'<Item Name="Caption" Value="{schema["Caption"]}" />' in resource and 'Culture="en-US"' in resource
        properties = _json(folder / "properties.json")["Properties"]
        if kind == "ClientUnit":
            assert (folder / f"{name}.js").is_file() and properties["SchemaType"] == "AngularSchema"
            assert f'= MetaData.Schema.HD1 "{schema["Parent"]["UId"]}"' in metadata
        else:
            assert f'= MetaData.Schema.D8 "{schema["Parent"]["UId"]}"' in metadata
    page = _schema("UsrWebitelUsersPage")
    assert (page["Parent"]["Name"], page["Parent"]["UId"]) == ("BlankPageTemplate", BLANK_PAGE_TEMPLATE[0])


def test_the_page_places_the_modules_section_and_the_module_reads_the_packaged_settings():
    codes = {row["Code"]: row for name, (_, rows) in _bindings().items() if name.startswith("SysSettings_")
             for row in rows}
    connector_ts = (PACKAGE / "remote-module" / "src" / "connector.ts").read_text()
    read = set(re.findall(r'_SETTING = "(\w+)"', connector_ts))
    assert read == set(codes) == {"UsrWebitelConnectorUrl", "UsrWebitelConnectorToken"}
    for row in codes.values():  # text a client may read, on the web only, the same for everyone
        assert row["ValueTypeName"] in ("MediumText", "LongText") and row["Name"] and row["Description"]
        assert row["IsSSPAvailable"] is False and row["IsPersonal"] is False
    page = (PACKAGE / "Schemas" / "UsrWebitelUsersPage" / "UsrWebitelUsersPage.js").read_text()
    section = (PACKAGE / "remote-module" / "src" / "section.component.ts").read_text()
    placed = re.search(r'"type": "(usr\.\w+)"', page)
    assert placed and f'type: "{placed.group(1)}"' in section
    assert re.search(r'"parentName": "(\w+)"', page).group(1) == BLANK_PAGE_TEMPLATE[1]
