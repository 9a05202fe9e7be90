"""The reliability report: the fault and concurrency scenarios' result files, as one JSON list
and as docs/reliability.md.

    .venv/bin/python bench/reliability_report.py [RESULTS_DIR]

Reads every *.json in RESULTS_DIR (default test-artifacts/reliability/, where
tests/reliability/faults/harness.py's record() writes one file per scenario and backend), then
writes bench/results/reliability.json (the list, sorted by scenario then backend) and
docs/reliability.md. Nothing is written when there is no result file: the page only ever shows
numbers a run actually recorded.
"""

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "test-artifacts" / "reliability"
JSON_OUT = ROOT / "bench" / "results" / "reliability.json"
DOC_OUT = ROOT / "docs" / "reliability.md"

FIELDS = (
    "scenario",
    "backend",
    "scale",
    "runs",
    "messages",
    "lost",
    "duplicated",
    "duplicate_bound",
    "longest_recovery_seconds",
    "seconds",
    "notes",
    "recorded_at",
)
OPTIONAL = {"profile": "?"}  # "ci" (the small scale of make test) or "full" (make test-reliability)

SCENARIOS = {
    "smtp-down": (
        "The SMTP server is killed once a quarter of the campaign is sent and restarted after "
        "the outage (10 s in CI, 2 min at full scale); delivery resumes and finishes by itself."
    ),
    "smtp-421-451-30pct": (
        "The SMTP server refuses each transaction with probability 0.3, with 421 or 451 at "
        "MAIL, RCPT or end of DATA; every refused message is retried until delivered, and no "
        "duplicate is allowed."
    ),
    "kill-during-planning": (
        "`hygiene run plan` is killed with SIGKILL again and again while it plans a campaign, "
        "then run once to completion: a killed run commits all or nothing, and the final "
        "outbox holds each message exactly once."
    ),
    "kill-during-delivery": (
        "`hygiene serve` is killed with SIGKILL repeatedly while it sends, and restarted; rows "
        "it held return to pending when their lease runs out and are sent with the same "
        "Message-ID."
    ),
    "sqlite-busy": (
        "Another process holds an exclusive SQLite lock (BEGIN EXCLUSIVE) in the middle of "
        "delivery; the service waits (busy_timeout) and carries on, losing and doubling nothing."
    ),
    "postgresql-restart": (
        "PostgreSQL is stopped (fast shutdown) in the middle of delivery and started again; "
        "the service reconnects and finishes the campaign."
    ),
    "concurrency-2-instances": (
        "Two service instances drain one campaign from one PostgreSQL database (claims with "
        "FOR UPDATE SKIP LOCKED); no fault is injected. Each Message-ID reaches the server "
        "exactly once, each message has exactly one 'sent' attempt, and every instance sends "
        "at least 5 % of the campaign."
    ),
    "concurrency-4-instances": "As concurrency-2-instances, with four instances.",
    "clock-skew-ahead": (
        "Two instances on PostgreSQL, one of them 300 s ahead of the other and of the database "
        "(libfaketime preloaded into that process only); no other fault. Leases follow the "
        "database's clock, so neither takes back rows the other is still sending: no duplicate "
        "is allowed, and both must send a share. The skewed instance logs its skew."
    ),
    "clock-skew-behind": "As clock-skew-ahead, with the instance 300 s behind.",
    "sqlite-disk-full": (
        "The disk holding the SQLite database (a small tmpfs) is filled to ENOSPC in the middle "
        "of delivery and freed later (10 s in CI, 2 min at full scale). The service logs one "
        "warning, reminders spaced by backoff and one 'resumed' line, never a traceback; "
        "/healthz answers 503 with the reason meanwhile and hygiene_delivery_conditions_total "
        "counts the condition once; afterwards the database passes its integrity check and "
        "the audit chain verifies."
    ),
    "restore-mid-delivery": (
        "`hygiene backup` runs while the service sends; the service sends more and is killed; "
        "the backup is restored as the admin guide says and the service started on it. It "
        "holds every message that was waiting at backup time (`hygiene outbox held`) and the "
        "SMTP server receives nothing while they are held. Then the held messages the server "
        "had already accepted are cancelled by id and the rest released (`--all`): each "
        "released message is sent once, so every message reached the server exactly once."
    ),
    "smtp-outage-24h": (
        "The SMTP server is down for a simulated 24 hours from the start of a campaign: the "
        "production retry schedule (backoff 30 s–6 h, 8 attempts) divided by the same factor "
        "as the outage (24 h in 40 s in CI, in 4 min at full scale). Batches that fail "
        "entirely count as the channel being down and spend no attempt: 0 dead, every message "
        "delivered exactly once."
    ),
}
GENERIC = "A reliability scenario recorded by tests/reliability (no description here yet)."


def load(folder: Path) -> list[dict[str, Any]]:
    results = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        missing = [name for name in FIELDS if name not in data]
        if missing:
            raise SystemExit(f"{path}: not a reliability result (missing {', '.join(missing)})")
        results.append({name: data.get(name, default) for name, default in OPTIONAL.items()})
        results[-1].update({name: data[name] for name in FIELDS})
    return sorted(results, key=lambda r: (r["scenario"], r["backend"]))


def cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def duplicated(result: dict[str, Any]) -> str:
    bound = result["duplicate_bound"]
    return f"{result['duplicated']} (≤ {bound})"


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| scenario | backend | profile | scale | runs | messages | lost | duplicated (bound) "
        "| longest recovery (s) | notes |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        row = [
            r["scenario"],
            r["backend"],
            r["profile"],
            r["scale"],
            r["runs"],
            f"{r['messages']:,}",
            r["lost"],
            duplicated(r),
            f"{float(r['longest_recovery_seconds']):.1f}",
            r["notes"],
        ]
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return lines


def document(results: list[dict[str, Any]], source: Path) -> str:
    stamps = sorted(r["recorded_at"] for r in results)
    names = sorted({r["scenario"] for r in results})
    try:
        shown_source = source.resolve().relative_to(ROOT)
    except ValueError:
        shown_source = source
    lines = [
        "# Reliability",
        "",
        "Generated by `bench/reliability_report.py` from the result files of the last run "
        f"(`{shown_source}/`); do not edit by hand.",
        "",
        "Each scenario starts real `hygiene serve --no-web` processes (APScheduler ticks, "
        "leased claims, the pooled SMTP channel) against a fault-injecting SMTP server that "
        "records every Message-ID it accepts, then compares the database with what the server "
        "accepted. **Lost** counts planned messages that are neither delivered nor failed "
        "with a reason, plus rows marked sent that the server never accepted. "
        "**Duplicated** counts extra acceptances of a Message-ID; the **bound** is the number "
        "of messages in flight at the fault: duplicates are allowed only for rows in flight "
        "at the fault (a send the server accepted but whose outcome the service could not "
        "record), and the bound is 0 where no duplicate is acceptable. **Longest recovery** "
        "is the longest time from the fault (or a message's first refused attempt) to "
        "delivery; it is 0.0 for scenarios without a fault.",
        "",
        "Time is compressed by configuration only: a delivery tick every 1 s, 10 s leases and "
        "1–10 s retry backoff (production defaults are 5 s, 300 s and 30 s–6 h), with a "
        "24-hour sending window. The 24-hour outage instead divides the production retry "
        "schedule by the outage's own factor; the clock-skew scenarios shift one process's "
        "clock with libfaketime.",
        "",
        "To rerun: `make test-reliability` runs tests/reliability at full scale "
        "(RELIABILITY_SCALE=full) on SQLite and then on PostgreSQL, writing the result files to "
        "`bench/results/reliability/`, and regenerates this page and "
        "`bench/results/reliability.json`. `make test` (and CI) runs the same scenarios at a "
        "small scale (profile `ci`) on each leg.",
        "",
        "## Scenarios",
        "",
    ]
    lines += [f"- **{name}**: {SCENARIOS.get(name, GENERIC)}" for name in names]
    lines += ["", "## Results", "", *table(results), ""]
    missing = sorted(set(SCENARIOS) - set(names))
    if missing:  # described scenarios with no result file: the run did not reach or pass them
        lines += [
            "Not recorded in this run (no result file; earlier runs are in the git history of "
            "this page): " + ", ".join(missing) + ".",
            "",
        ]
    lines += [
        f"Recorded between {stamps[0]} and {stamps[-1]}.",
        "",
        f"Machine (where this report was generated): {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("results", nargs="?", type=Path, default=DEFAULT_RESULTS)
    args = parser.parse_args()
    folder: Path = args.results
    results = load(folder) if folder.is_dir() else []
    if not results:
        sys.exit(f"no result files in {folder}: run the reliability tests first")
    JSON_OUT.parent.mkdir(parents=True, exist_ok=True)
    JSON_OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    DOC_OUT.write_text(document(results, folder), "utf-8")
    print(f"{len(results)} result(s) → {JSON_OUT.relative_to(ROOT)}, {DOC_OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
