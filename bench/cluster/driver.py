#!/usr/bin/env python3
"""The cluster benchmark's load, faults and checks (started by bench/cluster/run).

Reads the cluster's description (cluster.json: nginx's address, each
instance's address, metrics address, pid file and command line, the database
URL, the stories to read), then for DURATION seconds drives a mix of readers
through nginx from WORKERS threads while the fault schedule runs:

  drive-by readers (no cookie: each read is a new visitor's, metered),
  returning visitors (a cookie each, reading on until the paywall),
  subscribers (a bearer token, premium stories), search, sandbox payments
  (a new subscription paid through the sandbox's signed webhook), the
  sandbox's webhooks delivered again (they must come back "duplicate"),
  and newsroom edits (an editor publishing stories with a word of their own).

Faults: one instance killed with SIGKILL and started again (nginx routes
around it, it catches up from the log); every PostgreSQL connection of the
benchmark's database cut again and again for a few seconds (as a database
restart looks to the instances; the server itself stays up); and the disk
of another instance's search index filled for a few seconds (it must say
so at /metrics and in its log, keep serving, and catch up once freed).

Afterwards the checks: every paid webhook applied once (one payment, one
invoice, redeliveries answered "duplicate"), invoice numbers without a gap,
meter counts exact (what each visitor was served is what the database
counted, give or take the requests whose answer was lost), every edit
searchable on every instance. Then throughput, p99 and errors over time as
a table and a plot (ASCII here, SVG in the work folder). Exits non-zero if
any check fails.
"""

import hashlib
import hmac
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

CONFIG = json.load(open(sys.argv[1]))
DURATION = float(CONFIG["duration"])
WORKERS = int(CONFIG["workers"])
OUT = CONFIG["work"]
NGINX = CONFIG["nginx"]
DB = CONFIG["database_url"]
LIMIT = int(CONFIG["meter_limit"])
FREE = [line.strip() for line in open(CONFIG["free_stories"]) if line.strip()]
PREMIUM = [line.strip() for line in open(CONFIG["premium_stories"]) if line.strip()]
WINDOW = 5 if DURATION <= 120 else 15  # seconds per row of the table
# What answers count as "served through a fault" rather than wrong: nginx
# with no instance left for a moment (502/504), an instance whose database
# is out of reach (503, with Retry-After).
UNAVAILABLE = {502, 503, 504}
SEARCH_WORDS = ["rupee", "monsoon", "election", "markets", "budget", "court", "cricket", "bank", "policy", "india"]


def psql(sql):
    """Runs SQL on the benchmark's database; its rows as lists of strings."""
    out = subprocess.run(["psql", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", DB, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Client:
    """One keep-alive connection to an address, with cookies like a browser's."""

    def __init__(self, base):
        self.host, self.port = urllib.parse.urlsplit(base)._replace().netloc.split(":")
        self.base = base
        self.conn = None
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=30):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        pair = value.split(";", 1)[0]
                        key, _, val = pair.partition("=")
                        if val:
                            self.cookies[key] = val
                        else:
                            self.cookies.pop(key, None)
                if response.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, response.getheaders(), data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                # A kept-alive connection nginx closed meanwhile: once more on a new one.
                if attempt == 1 or method != "GET":
                    return 0, [], b""
        return 0, [], b""

    def form_token(self, path):
        status, _, html = self.request("GET", path)
        match = re.search(rb'name="csrf_token" value="([^"]+)"', html)
        if status != 200 or not match:
            raise RuntimeError(f"no form token on {path} ({status})")
        return match.group(1).decode()

    def post_form(self, path, fields):
        body = urllib.parse.urlencode(fields)
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.base, "Sec-Fetch-Site": "same-origin"})

    def post_json(self, path, value, token=None, address=None):
        headers = {"Content-Type": "application/json"}
        if address:
            # Readers come from many addresses; nginx adds its own behind.
            headers["X-Forwarded-For"] = address
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, _, data = self.request("POST", path, json.dumps(value), headers)
        try:
            return status, json.loads(data or b"null")
        except ValueError:
            return status, None


def story_id(path):
    return int(path.rsplit("-", 1)[1])


def withheld(html):
    return b'<section class="paywall"' in html


class Stats:
    """Every request's time, kind, status and latency; and the faults."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (t, kind, ok, unavailable, latency)
        self.events = []  # (t, what)
        self.wrong = []  # what answered wrongly, for the report

    def add(self, t, kind, ok, unavailable, latency):
        with self.lock:
            self.samples.append((t, kind, ok, unavailable, latency))

    def event(self, t, what):
        with self.lock:
            self.events.append((t, what))
        print(f"  {t:6.1f} s  {what}", flush=True)

    def fail(self, what):
        with self.lock:
            if len(self.wrong) < 50:
                self.wrong.append(what)


STATS = Stats()
START = time.monotonic()
STOP = threading.Event()


def now():
    return time.monotonic() - START


class Worker(threading.Thread):
    """One thread's share of the mix; remembers what the checks need."""

    def __init__(self, n, subscribers, payers, editor):
        super().__init__(daemon=True)
        self.n = n
        self.rng = random.Random(n)
        self.client = Client(NGINX)
        self.subscribers = subscribers
        self.payers = payers
        self.editor = editor
        # Visitors: their cookie, the stories they were served in full, and
        # those whose answer was lost (maybe counted, maybe not).
        self.visitors = [{"cookie": None, "served": set(), "lost": set()} for _ in range(5)]
        self.drive_bys = []  # (meter, story id) served in full to a new visitor
        self.paid = []  # subscription ids paid
        self.redelivered = 0

    def timed(self, kind, call):
        started = time.monotonic()
        status, headers, body = call()
        latency = time.monotonic() - started
        STATS.add(started - START, kind, status in (200, 201, 303), status in UNAVAILABLE or status == 0, latency)
        return status, headers, body

    def run(self):
        mix = [(50, self.drive_by), (20, self.returning), (10, self.subscriber), (10, self.search),
               (3, self.payment), (2, self.redeliver), (2, self.edit)]
        total = sum(weight for weight, _ in mix)
        while not STOP.is_set():
            pick = self.rng.uniform(0, total)
            for weight, action in mix:
                pick -= weight
                if pick <= 0:
                    try:
                        action()
                    except Exception as error:  # a bug in the driver, or an answer it cannot read
                        STATS.fail(f"{action.__name__}: {error!r}")
                    break

    def drive_by(self):
        path = self.rng.choice(FREE)
        self.client.cookies.pop("mh_visitor", None)
        status, _, body = self.timed("drive-by", lambda: self.client.request("GET", path))
        if status == 200:
            if withheld(body):
                STATS.fail(f"a new visitor was shown the paywall on {path}")
            meter = self.client.cookies.get("mh_visitor", "").split(".")[0]
            self.drive_bys.append(("v:" + meter, story_id(path)))
        elif status not in UNAVAILABLE and status != 0:
            STATS.fail(f"drive-by {path}: {status}")
        self.client.cookies.pop("mh_visitor", None)

    def returning(self):
        visitor = self.rng.choice(self.visitors)
        path = self.rng.choice(FREE[:40])
        if visitor["cookie"]:
            self.client.cookies["mh_visitor"] = visitor["cookie"]
        status, _, body = self.timed("returning", lambda: self.client.request("GET", path))
        visitor["cookie"] = visitor["cookie"] or self.client.cookies.get("mh_visitor")
        sid = story_id(path)
        if status == 200:
            if not withheld(body):
                visitor["served"].add(sid)
            elif sid in visitor["served"]:
                STATS.fail(f"a visitor was refused a story it had been served: {path}")
        else:
            visitor["lost"].add(sid)
            if status not in UNAVAILABLE and status != 0:
                STATS.fail(f"returning visitor {path}: {status}")
        self.client.cookies.pop("mh_visitor", None)

    def subscriber(self):
        token = self.rng.choice(self.subscribers)
        path = self.rng.choice(PREMIUM)
        status, _, body = self.timed("subscriber", lambda: self.client.request(
            "GET", path, headers={"Authorization": f"Bearer {token}"}))
        if status == 200 and withheld(body):
            STATS.fail(f"a subscriber was shown the paywall on {path}")
        elif status not in UNAVAILABLE and status not in (0, 200):
            STATS.fail(f"subscriber {path}: {status}")

    def search(self):
        query = urllib.parse.quote(self.rng.choice(SEARCH_WORDS))
        status, _, _ = self.timed("search", lambda: self.client.request("GET", f"/search?q={query}"))
        if status not in UNAVAILABLE and status not in (0, 200):
            STATS.fail(f"search {query}: {status}")

    def payment(self):
        """A new subscription paid through the sandbox, retried as a client
        and a provider would: a lost answer is first looked up (already
        active?), and a payment the sandbox made whose webhook failed (the
        event stored, not processed) is delivered again, as a provider
        retries its webhook, rather than charged a second time."""
        if not self.payers:
            return
        token = self.payers.pop()
        subscription = None
        for _ in range(30):
            if subscription is None:
                status, reply = self.client.post_json(
                    "/api/v1/subscriptions", {"plan_id": CONFIG["plan_id"], "provider": "sandbox"}, token)
                STATS.add(now(), "payment", status == 201, status in UNAVAILABLE or status == 0, 0)
                if status == 201:
                    subscription = reply["subscription_id"]
                elif status not in UNAVAILABLE and status != 0:
                    STATS.fail(f"subscribe: {status} {reply}")
                    return
            else:
                status, _, body = self.client.request("GET", "/api/v1/me",
                                                      headers={"Authorization": f"Bearer {token}"})
                mine = json.loads(body)["subscription"] if status == 200 else None
                if mine and mine["id"] == subscription and mine["status"] == "active":
                    self.paid.append(subscription)
                    return
                if status == 200:
                    unprocessed = psql("SELECT body FROM webhook_events WHERE provider = 'sandbox' "
                                       "AND processed_at IS NULL "
                                       f"AND (body::jsonb ->> 'subscription') = '{subscription}'")
                    started = time.monotonic()
                    if unprocessed:
                        status, _, data = self.deliver(unprocessed[0][0])
                    else:
                        status, data = self.client.post_json(f"/api/v1/sandbox/{subscription}/pay", {}, token)
                    STATS.add(started - START, "payment", status == 200, status in UNAVAILABLE or status == 0,
                              time.monotonic() - started)
                    if status not in UNAVAILABLE and status not in (0, 200):
                        STATS.fail(f"pay {subscription}: {status} {data}")
                        return
                    # Whatever it said, the next round asks whether it is active.
                    continue
            time.sleep(0.5)
        STATS.fail(f"a payment never went through (subscription {subscription})")

    def deliver(self, body):
        """POSTs a sandbox event to the webhook, signed as the sandbox signs."""
        if not CONFIG.get("sandbox_secret"):
            # Made by the sandbox's first payment.
            rows = psql("SELECT value FROM settings WHERE name = 'sandbox_webhook_secret'")
            CONFIG["sandbox_secret"] = rows[0][0]
        t = int(time.time())
        mac = hmac.new(CONFIG["sandbox_secret"].encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        return self.client.request("POST", "/webhooks/sandbox", body, {
            "Content-Type": "application/json", "X-Masthead-Signature": f"t={t},v1={mac}"})

    def redeliver(self):
        """A provider sending a processed webhook again: "duplicate", applied once."""
        try:
            rows = psql("SELECT body FROM webhook_events WHERE provider = 'sandbox' AND processed_at IS NOT NULL "
                        "ORDER BY random() LIMIT 1")
        except subprocess.CalledProcessError:
            return  # the fault schedule cut the driver's own connection too (PostgreSQL "restarting")
        if not rows:
            return
        status, _, data = self.timed("webhook", lambda: self.deliver(rows[0][0]))
        if status == 200:
            if json.loads(data)["status"] != "duplicate":
                STATS.fail(f"a webhook delivered again was applied again: {data!r}")
            self.redelivered += 1
        elif status not in UNAVAILABLE and status != 0:
            STATS.fail(f"webhook again: {status} {data[:200]!r}")

    def edit(self):
        """The editor publishes a story with a word of its own."""
        editor = self.editor
        if not editor["lock"].acquire(blocking=False):
            return
        try:
            word = f"clusteredit{len(editor['edits'])}x{random.randrange(10**6)}"
            client = editor["client"]
            started = time.monotonic()
            try:
                token = client.form_token("/newsroom/stories/new")
            except RuntimeError:
                STATS.add(started - START, "edit", False, True, time.monotonic() - started)
                return
            status, headers, _ = client.post_form("/newsroom/stories", [
                ("csrf_token", token), ("headline", f"Cluster desk files {word}"),
                ("standfirst", "Filed while the cluster was under load."),
                ("body", f"The word {word} appears in this story and nowhere else."),
                ("section", "economy"), ("byline", "Cluster Desk"), ("dateline", "Mumbai"), ("tags", "cluster"),
                ("action", "publish")])
            STATS.add(started - START, "edit", status == 303, status in UNAVAILABLE or status == 0,
                      time.monotonic() - started)
            location = dict((k.lower(), v) for k, v in headers).get("location", "")
            if status == 303 and location.startswith("/newsroom/stories/"):
                editor["edits"].append((word, int(location.split("/")[3].split("?")[0])))
            elif status in UNAVAILABLE or status == 0:
                # Maybe saved: the check looks the word up in the database.
                editor["maybe"].append(word)
            else:
                STATS.fail(f"edit: {status}")
        finally:
            editor["lock"].release()


def instance_pid(instance):
    try:
        return int(open(instance["pid_file"]).read())
    except (OSError, ValueError):
        return None


def restart(instance):
    log = open(instance["log"], "a")
    process = subprocess.Popen(instance["command"], stdout=log, stderr=log, env={**os.environ, "MASTHEAD_LOG": "warn"})
    open(instance["pid_file"], "w").write(str(process.pid))
    return process


def cut_database(seconds):
    """Ends every connection to the benchmark's database, again and again."""
    ended = 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        rows = psql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ended += int(rows[0][0])
        time.sleep(0.1)
    return ended


def gauge(instance, name):
    """A gauge from an instance's /metrics, None when it cannot be read."""
    status, _, body = Client(instance["metrics"]).request("GET", "/metrics", timeout=5)
    found = re.search(rf"^{name} (\S+)", body.decode(errors="replace"), re.M) if status == 200 else None
    return float(found[1]) if found else None


def index_disk_full(instance, seconds):
    """Fills the disk of an instance's search index (its own small file
    system, mounted by bench/cluster/run) for `seconds`, then frees it; where
    no file system of its own could be mounted, a file stands where the
    index folder was instead, which refuses writes as a full disk does. The
    instance must say so (an error in its log, masthead_search_index_writable
    0 at /metrics) and keep serving, then take writes again (the gauge back
    at 1); every edit made meanwhile must become searchable (the checks)."""
    folder = instance["index_dir"]
    log_size = os.path.getsize(instance["log"])
    filler = os.path.join(folder, "disk-full-filler")
    if instance.get("index_mount"):
        how = "filled"
        free = os.statvfs(folder)
        with open(filler, "wb") as f:
            try:
                for _ in range(free.f_bavail * free.f_frsize // (1 << 20) + 1):
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass  # full
    else:
        how = "a file in place of its folder"
        os.rename(folder, folder + ".away")
        open(folder, "w").write("not a folder")
    STATS.event(now(), f"{instance['name']}: index disk full ({how}) for {seconds:.0f} s")
    said = False
    until = time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            said = said or gauge(instance, "masthead_search_index_writable") == 0.0
            time.sleep(0.5)
    finally:
        if instance.get("index_mount"):
            os.remove(filler)
        else:
            os.remove(folder)
            os.rename(folder + ".away", folder)
    STATS.event(now(), f"{instance['name']}: index disk freed")
    with open(instance["log"], errors="replace") as log:
        log.seek(log_size)
        logged = "cannot write the search index" in log.read()
    if not said or not logged:
        STATS.fail(f"{instance['name']}: a full index disk not said (metrics gauge 0: {said}, log error: {logged})")
    deadline = time.monotonic() + 30
    while gauge(instance, "masthead_search_index_writable") != 1.0:
        if time.monotonic() > deadline:
            STATS.fail(f"{instance['name']}: its index not writable again 30 s after its disk was freed")
            return
        time.sleep(0.5)
    STATS.event(now(), f"{instance['name']}: index writable again")


def faults():
    """The fault schedule, in step with the load."""
    victim = CONFIG["instances"][1]
    kill_at, down_for = DURATION * 0.25, min(15.0, DURATION * 0.1)
    cut_at, cut_for = DURATION * 0.55, min(10.0, DURATION * 0.05)
    full_at, full_for = DURATION * 0.75, min(15.0, DURATION * 0.1)
    if STOP.wait(kill_at):
        return
    pid = instance_pid(victim)
    if pid:
        os.kill(pid, signal.SIGKILL)
        STATS.event(now(), f"kill -9 {victim['name']} (pid {pid})")
    if STOP.wait(down_for):
        return
    restart(victim)
    STATS.event(now(), f"{victim['name']} started again")
    if STOP.wait(max(0.0, cut_at - now())):
        return
    STATS.event(now(), f"PostgreSQL: cutting every connection for {cut_for:.0f} s")
    ended = cut_database(cut_for)
    STATS.event(now(), f"PostgreSQL: {ended} connections cut; connections allowed again")
    if STOP.wait(max(0.0, full_at - now())):
        return
    index_disk_full(CONFIG["instances"][0], full_for)


def prepare():
    """Subscribers and payers (accounts made and confirmed beforehand), and the editor."""
    client = Client(NGINX)

    def accounts(prefix, count):
        emails = [f"{prefix}{i}@cluster.example" for i in range(count)]
        # Each from an address of its own, as readers are: the sign-up and
        # log-in limits are per address (the instances trust nginx's
        # X-Forwarded-For).
        address = lambda email: f"10.{len(prefix)}.{emails.index(email) // 250}.{emails.index(email) % 250 + 1}"
        for email in emails:
            status, reply = client.post_json("/api/v1/readers", {"email": email, "password": "cluster password 1"},
                                             address=address(email))
            if status != 201:
                raise SystemExit(f"error: cannot sign up {email}: {status} {reply}")
        psql(f"UPDATE readers SET verified_at = {int(time.time())} WHERE email LIKE '{prefix}%@cluster.example'")
        tokens = []
        for email in emails:
            status, reply = client.post_json("/api/v1/session", {"email": email, "password": "cluster password 1"},
                                             address=address(email))
            if status != 201 and status != 200:
                raise SystemExit(f"error: cannot log in {email}: {status} {reply}")
            tokens.append(reply["token"])
        return tokens

    subscribers = accounts("subscriber", 4)
    t = int(time.time())
    for benefit in ["premium_stories", "archive", "smart_investor", "ad_free"]:
        psql(f"INSERT INTO entitlement_grants (reader_id, benefit, starts_at, ends_at, source) "
             f"SELECT id, '{benefit}', {t - 60}, NULL, 'bench' FROM readers WHERE email LIKE 'subscriber%'")
    payers = accounts("payer", CONFIG["payers"])
    status, _, body = client.request("GET", "/api/v1/plans")
    CONFIG["plan_id"] = json.loads(body)["plans"][0]["id"]
    editor = Client(NGINX)
    token = editor.form_token("/login")
    status, _, _ = editor.post_form("/login", [("csrf_token", token), ("email", CONFIG["editor_email"]),
                                               ("password", CONFIG["editor_password"])])
    if status != 303:
        raise SystemExit(f"error: the editor cannot log in ({status})")
    return subscribers, payers, {"client": editor, "lock": threading.Lock(), "edits": [], "maybe": []}


def check(workers, editor):
    """The checks; returns the failures."""
    failures = list(STATS.wrong)

    # Every paid webhook applied once: one payment row and one invoice per
    # processed payment event; every event stored was processed.
    unprocessed = psql("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL")[0][0]
    if unprocessed != "0":
        failures.append(f"{unprocessed} webhook events stored but never processed")
    doubled = psql("SELECT subscription_id, count(*) FROM payments GROUP BY subscription_id HAVING count(*) > 1")
    if doubled:
        failures.append(f"subscriptions paid more than once: {doubled[:5]}")
    uninvoiced = psql("SELECT count(*) FROM payments p WHERE (SELECT count(*) FROM invoices i "
                      "WHERE i.provider = p.provider AND i.payment_id = p.payment_id) <> 1")[0][0]
    if uninvoiced != "0":
        failures.append(f"{uninvoiced} payments without exactly one invoice")
    paid = sorted(s for w in workers for s in w.paid)
    in_db = {int(r[0]) for r in psql("SELECT DISTINCT subscription_id FROM payments")}
    missing = [s for s in paid if s not in in_db]
    if missing:
        failures.append(f"payments answered as paid but not stored: {missing[:5]}")
    print(f"Payments: {len(paid)} subscriptions paid, {len(in_db)} in the database, "
          f"{sum(w.redelivered for w in workers)} webhooks delivered again (all duplicates)")

    # Invoices gapless, per financial year.
    years = psql("SELECT financial_year, count(*), min(sequence), max(sequence) FROM invoices GROUP BY financial_year")
    for year, count, low, high in years:
        if not (low == "1" and high == count):
            failures.append(f"invoices of {year}: {count} numbered {low}..{high} (a gap)")
    print(f"Invoices: {', '.join(f'{y}: 1..{h}' for y, c, lo, h in years) or 'none'}")

    # Meter counts exact.
    meters = {}
    for meter, month, used in psql("SELECT meter, month, used FROM meter_months"):
        meters.setdefault(meter, {})["used"] = int(used)
    for meter, article in psql("SELECT meter, article_id FROM meter_reads"):
        meters.setdefault(meter, {}).setdefault("reads", set()).add(int(article))
    inexact = [m for m, v in meters.items() if v.get("used", 0) != len(v.get("reads", ()))]
    if inexact:
        failures.append(f"{len(inexact)} meters whose count is not their reads, e.g. {inexact[:3]}")
    drive_bys = [d for w in workers for d in w.drive_bys]
    wrong = [(m, s) for m, s in drive_bys if meters.get(m, {}).get("reads") != {s}]
    if wrong:
        failures.append(f"{len(wrong)} of {len(drive_bys)} drive-by reads not counted exactly once, e.g. {wrong[:3]}")
    visitors = [v for w in workers for v in w.visitors if v["cookie"]]
    for v in visitors:
        counted = meters.get("v:" + v["cookie"].split(".")[0], {}).get("reads", set())
        if not (v["served"] <= counted <= v["served"] | v["lost"]) or len(counted) > LIMIT:
            failures.append(f"a visitor was served {sorted(v['served'])} (lost {sorted(v['lost'])}) "
                            f"but the meter counted {sorted(counted)}")
    print(f"Meters: {len(drive_bys)} drive-by reads and {len(visitors)} returning visitors checked "
          f"against {len(meters)} meters")

    # Every edit searchable on every instance (each follows the log itself).
    edits = list(editor["edits"])
    for word in editor["maybe"]:
        rows = psql(f"SELECT id FROM articles WHERE headline LIKE '%{word}%'")
        if rows:
            edits.append((word, int(rows[0][0])))
    for instance in CONFIG["instances"]:
        client = Client(instance["base"])
        pending = dict(edits)
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for word, sid in list(pending.items()):
                status, _, body = client.request("GET", f"/api/v1/search?q={word}")
                if status == 200 and sid in [r["id"] for r in json.loads(body)["results"]]:
                    del pending[word]
            if pending:
                time.sleep(1)
        if pending:
            failures.append(f"{instance['name']}: {len(pending)} of {len(edits)} edits not searchable, "
                            f"e.g. {list(pending)[:3]}")
    print(f"Search: {len(edits)} published edits looked up on {len(CONFIG['instances'])} instances")
    return failures


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def report():
    """Throughput, p99 and errors per window, a table and plots."""
    rows = []
    samples = sorted(STATS.samples)
    end = DURATION  # requests still out when the load stopped are left out
    t = 0.0
    while t < end:
        window = [s for s in samples if t <= s[0] < t + WINDOW]
        pages = [s for s in window if s[1] in ("drive-by", "returning", "subscriber")]
        events = [what for at, what in STATS.events if t <= at < t + WINDOW]
        rows.append({
            "t": t, "rps": len(window) / WINDOW,
            "p99": percentile([s[4] for s in pages if s[2]], 0.99) * 1000,
            "unavailable": sum(1 for s in window if s[3]),
            "other": sum(1 for s in window if not s[2] and not s[3]),
            "events": "; ".join(events)})
        t += WINDOW
    print()
    print("| from s | req/s | p99 ms (pages) | 502/503/504 or cut | other errors | fault |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['t']:.0f} | {r['rps']:.0f} | {r['p99']:.1f} | {r['unavailable']} | {r['other']} | {r['events']} |")
    # ASCII: one bar per window.
    top = max([r["rps"] for r in rows] + [1])
    print()
    print(f"req/s over time (each # = {top / 50:.0f} req/s; ! = requests unavailable, K/P/D = fault)")
    for r in rows:
        mark = ("K" if "kill" in r["events"] else "P" if "PostgreSQL" in r["events"]
                else "D" if "disk full" in r["events"] else " ")
        print(f"{r['t']:6.0f} s {mark} {'#' * int(50 * r['rps'] / top):<50} {'!' * min(20, r['unavailable'])}")
    svg = plot(rows, STATS.events, end)
    path = os.path.join(OUT, "cluster.svg")
    open(path, "w").write(svg)
    print(f"\nPlot: {path}")
    kinds = sorted({s[1] for s in samples})
    print("Requests by kind: " + ", ".join(
        f"{k} {sum(1 for s in samples if s[1] == k)}" for k in kinds) + f"; total {len(samples)} in {end:.0f} s")


def plot(rows, events, end):
    """An SVG of req/s (left axis) and the pages' p99 (right axis) per window,
    windows with unavailable requests shaded red, each fault a dashed line
    with its label (staggered so that close ones stay readable)."""
    # A row of its own for each fault's label (up to 8), above the lines.
    label_rows = max(1, min(len(events), 8))
    width, left, right, top_pad, bottom = 760, 56, 60, 44 + 13 * label_rows, 40
    height = top_pad + 180 + bottom
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    x = lambda t: left + plot_w * t / max(end, 1)
    top = max([r["rps"] for r in rows] + [1])
    top_p99 = max([r["p99"] for r in rows] + [1])
    y = lambda value, most: height - bottom - plot_h * value / most
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="11"><rect width="100%" height="100%" fill="#fff"/>',
             f'<text x="{left}" y="18" font-size="13">bench/cluster: requests a second (blue, left) and the pages\' '
             f'p99 in ms (orange, right), {WINDOW:.0f} s windows</text>']
    for r in rows:
        if r["unavailable"]:
            parts.append(f'<rect x="{x(r["t"]):.1f}" y="{top_pad}" width="{x(r["t"] + WINDOW) - x(r["t"]):.1f}" '
                         f'height="{plot_h}" fill="#fbdcdc"/>')
    for fraction in (0, 0.5, 1):
        at = y(top * fraction, top)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{at:.1f}" y2="{at:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{at + 4:.1f}" text-anchor="end" fill="#1f5fbf">{top * fraction:.0f}</text>'
                     f'<text x="{width - right + 6}" y="{at + 4:.1f}" fill="#b86e00">{top_p99 * fraction:.0f}</text>')
    for t in range(0, int(end) + 1, 60 if end > 120 else 15):
        parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{height - bottom}" y2="{height - bottom + 4}" '
                     f'stroke="#333"/><text x="{x(t):.1f}" y="{height - bottom + 17}" text-anchor="middle">{t} s</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#333"/>')
    for n, (at, what) in enumerate(events):
        label_y = 34 + 13 * (n % label_rows)
        # Labels of the later faults end at their line, so they stay inside the picture.
        late = at > end * 0.5
        anchor = "end" if late else "start"
        parts.append(f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{label_y + 3}" y2="{height - bottom}" stroke="#c00" '
                     f'stroke-dasharray="4"/><text x="{x(at) + (-3 if late else 3):.1f}" y="{label_y}" fill="#c00" '
                     f'text-anchor="{anchor}">{at:.0f} s: {what[:60]}</text>')
    mid = lambda r: x(r["t"] + WINDOW / 2)
    rps_points = " ".join(f'{mid(r):.1f},{y(r["rps"], top):.1f}' for r in rows)
    p99_points = " ".join(f'{mid(r):.1f},{y(r["p99"], top_p99):.1f}' for r in rows)
    parts.append(f'<polyline fill="none" stroke="#1f5fbf" stroke-width="2" points="{rps_points}"/>'
                 f'<polyline fill="none" stroke="#e08a00" stroke-width="2" points="{p99_points}"/>'
                 f'<text x="{width - right}" y="{height - 6}" text-anchor="end" fill="#a00">red: windows with '
                 f'requests answered 502/503/504 or cut</text></svg>')
    return "".join(parts)

def main():
    print(f"Load: {WORKERS} workers for {DURATION:.0f} s through nginx at {NGINX}")
    subscribers, payers, editor = prepare()
    global START
    START = time.monotonic()
    per_worker = [payers[i::WORKERS] for i in range(WORKERS)]
    workers = [Worker(n, subscribers, per_worker[n], editor) for n in range(WORKERS)]
    for w in workers:
        w.start()
    schedule = threading.Thread(target=faults, daemon=True)
    schedule.start()
    time.sleep(DURATION)
    STOP.set()
    for w in workers:
        w.join(timeout=60)
    schedule.join(timeout=60)
    report()
    print()
    failures = check(workers, editor)
    # What the instances' /metrics say, summed: a scrape as an operator sees it.
    for instance in CONFIG["instances"]:
        status, _, body = Client(instance["metrics"]).request("GET", "/metrics")
        text = body.decode() if status == 200 else ""
        value = lambda name: float((re.search(rf"^{name} (\S+)", text, re.M) or [0, "0"])[1])
        requests = sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
                       if l.startswith("masthead_http_requests_total{"))
        batches = value("masthead_meter_batch_reads_count")
        print(f"/metrics {instance['name']}: {requests:.0f} requests since its start; {batches:.0f} meter batches "
              f"(mean {value('masthead_meter_batch_reads_sum') / max(batches, 1):.1f} reads); "
              f"search log lag {value('masthead_search_log_lag_entries'):.0f} entries")
    print()
    if failures:
        print("CHECKS FAILED:")
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1)
    print("All checks passed: every paid webhook applied once, invoices gapless, meter counts exact, "
          "every edit searchable on every instance.")


if __name__ == "__main__":
    main()
