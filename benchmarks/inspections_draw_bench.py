"""Random-inspection draw benchmark (issue 6): the pure draw (``inspections.draw.compute``) on a synthetic
directory, and — with ``--var-dir`` pointing at a loaded demo (``zhifa demo-data``) — a full plan draw over the
demo's 400 firms (directory snapshot with grades and weights, draw, inspections created) and its verification.
The demo variant adds one plan to that database.

    .venv/bin/python benchmarks/inspections_draw_bench.py --targets 5000 --inspectors 120 --count 250
    ZHIFA_VAR_DIR=/tmp/demo .venv/bin/python benchmarks/inspections_draw_bench.py --demo
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def pure(n_targets: int, n_inspectors: int, count: int) -> None:
    from zhifa.inspections import draw

    targets = [{"party_id": i, "name": f"firm{i}", "type": "freight", "weight": ["0.5", "1", "2", "3"][i % 4]} for i in range(1, n_targets + 1)]
    inspectors = [{"officer_id": j, "name": f"o{j}", "conflicts": [j * 7 % n_targets], "last_inspected": []} for j in range(1, n_inspectors + 1)]
    started = time.perf_counter()
    result = draw.compute("bench-seed", targets, inspectors, {"target_count": count, "inspectors_per_target": 2})
    elapsed = time.perf_counter() - started
    print(f"pure draw: {n_targets} targets, {n_inspectors} inspectors, {len(result['targets'])} drawn in {elapsed * 1000:.0f} ms")


def demo() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()
    from django.utils import timezone

    from zhifa.core.models import Organisation, User
    from zhifa.inspections import services
    from zhifa.inspections.models import InspectionItem

    head = User.objects.get(username="head")
    org = Organisation.objects.get(code="411321")
    items = list(InspectionItem.objects.filter(subject_type="freight"))
    today = timezone.localdate()
    plan = services.plan_create(actor=head, organisation=org, title="基准测试抽查", items=items, target_types=["freight", "dangerous", "passenger",
                                "taxi", "driving_school", "repair"], starts_on=today, ends_on=today, target_count=20)
    services.plan_commit_seed(actor=head, plan=plan)
    started = time.perf_counter()
    d = services.plan_draw(actor=head, plan=plan)
    drawn = time.perf_counter() - started
    started = time.perf_counter()
    ok, _ = services.verify_draw(d)
    verified = time.perf_counter() - started
    print(f"demo draw: directory {len(d.target_snapshot)} firms / {len(d.inspector_snapshot)} inspectors, 20 drawn in {drawn * 1000:.0f} ms; "
          f"verify {'ok' if ok else 'FAILED'} in {verified * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=5000)
    parser.add_argument("--inspectors", type=int, default=120)
    parser.add_argument("--count", type=int, default=250)
    parser.add_argument("--demo", action="store_true", help="also draw a plan in the demo database of ZHIFA_VAR_DIR")
    args = parser.parse_args()
    pure(args.targets, args.inspectors, args.count)
    if args.demo:
        demo()


if __name__ == "__main__":
    main()
