"""Schemathesis hooks for api/check (loaded through SCHEMATHESIS_HOOKS).

- The check `no_state_change_on_refusal`: before every request, a digest of
  the demo's database (every table's rows, read-only through sqlite3); after
  a response of 400 or more, the digest again, and the check fails naming
  the tables that changed. Run with one worker, so no other request falls
  between the two digests. Left out of the digest, each for its reason:
  `rate_limits` (a refused log-in counts against its limit: that is the
  limit working), `change_counters` (bumped by the triggers of the tables
  that are in the digest), `search_instances` (each instance's heartbeat),
  `insight_events` (written in batches a moment after the request that
  caused them, so a success's events may land during the next request), and
  `sessions.last_seen_at` (any signed-in request dates its session, at most
  once a minute). One refusal changes state by design: a log-in of an
  unconfirmed account (403) mails a new confirmation link, a row of
  `account_tokens`.
- A tally of the status codes each operation answered, written as JSON to
  API_CHECK_TALLY when the run ends, for api/check's summary.

API_CHECK_DATABASE names the SQLite file (the demo's `masthead.db`).
"""

import atexit
import collections
import hashlib
import json
import os
import sqlite3
import threading

import schemathesis

DATABASE = os.environ["API_CHECK_DATABASE"]
IGNORED_TABLES = {"rate_limits", "change_counters", "search_instances", "insight_events"}
IGNORED_COLUMNS = {"sessions": {"last_seen_at"}}
# (operation, status) -> the tables that refusal changes by design.
BY_DESIGN = {("POST /api/v1/session", 403): {"account_tokens"}}

_before = {}
_tally = collections.defaultdict(collections.Counter)
_lock = threading.Lock()


def digest():
    """Each table's row count and a SHA-256 of its rows, by table name."""
    connection = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True, timeout=30)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if name not in IGNORED_TABLES and not name.startswith("_sqlx")
        ]
        state = {}
        for table in tables:
            ignored = IGNORED_COLUMNS.get(table, set())
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")') if row[1] not in ignored]
            listed = ", ".join(f'"{c}"' for c in columns)
            sha = hashlib.sha256()
            count = 0
            for row in connection.execute(f'SELECT {listed} FROM "{table}" ORDER BY {listed}'):
                sha.update(repr(row).encode())
                count += 1
            state[table] = (count, sha.hexdigest())
        return state
    finally:
        connection.close()


@schemathesis.hook
def before_call(context, case, kwargs):
    _before[case.id] = digest()


@schemathesis.hook
def after_call(context, case, response):
    with _lock:
        _tally[case.operation.label][str(response.status_code)] += 1


@schemathesis.check
def no_state_change_on_refusal(ctx, response, case):
    """A response of 400 or more left the database as it was."""
    before = _before.pop(case.id, None)
    if before is None or response.status_code < 400:
        return None
    after = digest()
    changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    allowed = BY_DESIGN.get((case.operation.label, response.status_code), set())
    changed = [t for t in changed if t not in allowed]
    if changed:
        counts = ", ".join(f"{t} ({before.get(t, (0,))[0]} rows, then {after.get(t, (0,))[0]})" for t in changed)
        raise AssertionError(f"a {response.status_code} refusal changed the database: {counts}")
    return None


@atexit.register
def _write_tally():
    path = os.environ.get("API_CHECK_TALLY")
    if path:
        with open(path, "w") as out:
            json.dump({op: dict(statuses) for op, statuses in sorted(_tally.items())}, out, indent=1)
