"""The national catalogue's four-list conditions are each item's own: CZ-005 (文明用语、车容车貌) once carried CZ-004's
condition about 车费票据, copied verbatim from the item before it."""

import collections

import yaml

from zhifa.discretion.loader import DATA_DIR


def test_no_two_items_share_a_list_condition_verbatim():
    data = yaml.safe_load((DATA_DIR / "catalogue_national.yaml").read_text(encoding="utf-8"))
    seen = collections.defaultdict(list)
    for item in data["items"]:
        for entry in item.get("lists") or []:
            seen[entry["conditions"]].append(item["code"])
    assert {text: codes for text, codes in seen.items() if len(codes) > 1} == {}
    cz005 = next(i for i in data["items"] if i["code"] == "CZ-005")
    assert "文明用语" in cz005["lists"][0]["conditions"] and "票据" not in cz005["lists"][0]["conditions"]
