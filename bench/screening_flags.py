#!/usr/bin/env python3
"""What the FIU service gives detection from its screening: the accounts of
parties whose names match the list, flagged `designated`.

    python3 bench/screening_flags.py queries SCENARIO_DIR QUERIES.csv
    python3 bench/screening_flags.py flags SCENARIO_DIR MATCHES.csv FLAGGED.csv [AREAS.txt]

`queries` writes every party of the scenario as a screening query (its name
as the institution recorded it, birth date, nationality, kind); `flags`
reads `nexus screen`'s matches and writes the accounts of the matched
parties as `account_id,flag` for `nexus detect --flagged`, and with AREAS
(one town or province per line, `#` comments) the accounts of parties whose
address is in one of them as `high_risk_area`. Namesakes the screening
matches are flagged too, as the service's open screening alerts would make
them: nothing here reads the scenario's labels.
"""
import csv
import sys


def queries(scenario: str, out: str) -> None:
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "birth_date", "country", "kind"])
        for p in csv.DictReader(open(f"{scenario}/parties.csv")):
            kind = "person" if p["kind"] == "person" else "organisation"
            w.writerow([p["id"], p["name"], p["birth_date"], p["nationality"], kind])


def flags(scenario: str, matches: str, out: str, areas: str = "") -> None:
    matched = {r["query_id"] for r in csv.DictReader(open(matches))}
    # (name, country or None): `Kunduz, AF` holds the area to Afghanistan.
    places = set()
    if areas:
        for line in open(areas, encoding="utf-8"):
            line = line.split("#")[0].strip()
            if not line:
                continue
            name, _, code = line.rpartition(",")
            if name and len(code.strip()) == 2:
                places.add((name.strip().casefold(), code.strip().upper()))
            else:
                places.add((line.casefold(), None))

    def in_area(p):
        city = p["city"].strip().casefold()
        return (city, None) in places or (city, p["country"].strip().upper()) in places

    living = {
        p["id"]: p["city"].strip()
        for p in csv.DictReader(open(f"{scenario}/parties.csv"))
        if in_area(p)
    }
    n = m = 0
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account_id", "flag", "area"])
        for a in csv.DictReader(open(f"{scenario}/accounts.csv")):
            if a["party_id"] in matched:
                w.writerow([a["id"], "designated", ""])
                n += 1
            if a["party_id"] in living:
                w.writerow([a["id"], "high_risk_area", living[a["party_id"]]])
                m += 1
    print(
        f"screening: {len(matched)} parties match the list; {n} accounts flagged designated; "
        f"{m} accounts of parties in high-risk areas"
    )


if __name__ == "__main__":
    action, *args = sys.argv[1:]
    {"queries": queries, "flags": flags}[action](*args)
