"""The verifiable draw (双随机: random targets and random inspectors).

A pure function of (seed, target snapshot, inspector snapshot, parameters): no database, no clock, no Python
``random`` (whose stream may change between versions). Every random number is a SHA-256 of the seed and a
label, and the weighted choice uses the decimal module (correctly rounded, the same on every platform), so
anybody holding the published snapshots and the revealed seed recomputes the identical result.

Targets: weighted sampling without replacement (Efraimidis–Spirakis, exponential keys): each target gets
key = −ln(u) / weight with u from the hash; the ``n`` smallest keys are drawn. A higher weight (low credit
grade, many complaints, ≥ 3 penalties a year) makes a smaller key more likely.

Inspectors: for each drawn target in draw order, the eligible inspectors (no declared conflict, not the
inspector of the firm's last inspection) are ordered by current load, then by a hash lottery; the first
``k`` are assigned (≥ 2, legal-reference §7). Load balancing is thereby part of the verified result.
"""

import hashlib
import json
import math
from decimal import Decimal, localcontext

ALGORITHM = "zhifa-draw-v1/es-sha256"


class DrawImpossible(Exception):
    """The directories cannot satisfy the parameters (e.g. too few eligible inspectors)."""


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _uniform(seed: str, *parts) -> Decimal:
    """A number in (0, 1) from SHA-256(seed | parts)."""
    digest = hashlib.sha256("|".join([seed, *map(str, parts)]).encode()).digest()
    n = int.from_bytes(digest[:8], "big")
    return (Decimal(n) + 1) / (Decimal(2) ** 64 + 1)


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def target_count(n_targets: int, params: dict) -> int:
    if params.get("target_count"):
        return min(int(params["target_count"]), n_targets)
    ratio = Decimal(str(params.get("ratio_percent") or 0))
    return min(n_targets, math.ceil(n_targets * ratio / 100))


def compute(seed: str, targets: list[dict], inspectors: list[dict], params: dict) -> dict:
    """The draw result for the given snapshots. ``targets``: [{party_id, name, type, weight, ...}];
    ``inspectors``: [{officer_id, name, conflicts: [party_id], last_inspected: [party_id]}];
    ``params``: {target_count | ratio_percent, inspectors_per_target}."""
    with localcontext() as ctx:
        ctx.prec = 34
        keyed = []
        for t in sorted(targets, key=lambda t: t["party_id"]):
            weight = Decimal(str(t["weight"]))
            if weight <= 0:
                continue
            key = -_uniform(seed, "target", t["party_id"]).ln() / weight
            keyed.append((key, t["party_id"], t))
        keyed.sort(key=lambda x: (x[0], x[1]))
        chosen = [t for _, _, t in keyed[: target_count(len(targets), params)]]

        k = int(params.get("inspectors_per_target", 2))
        load = {i["officer_id"]: 0 for i in inspectors}
        assignments = []
        for t in chosen:
            pid = t["party_id"]
            eligible = [i for i in inspectors if pid not in i.get("conflicts", []) and pid not in i.get("last_inspected", [])]
            if len(eligible) < k:
                raise DrawImpossible(f"{t['name']}：可抽取且无回避情形的检查人员不足{k}名")
            eligible.sort(key=lambda i: (load[i["officer_id"]], _uniform(seed, "inspector", pid, i["officer_id"]), i["officer_id"]))
            picked = sorted(i["officer_id"] for i in eligible[:k])
            for oid in picked:
                load[oid] += 1
            assignments.append({"party_id": pid, "name": t["name"], "type": t["type"], "inspectors": picked})
    return {"algorithm": ALGORITHM, "targets": assignments}


def result_hash(result: dict) -> str:
    return hashlib.sha256(canonical(result).encode()).hexdigest()
