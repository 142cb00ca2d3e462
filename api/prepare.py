"""Real data for api/check's Schemathesis runs, taken from the live demo.

    python3 api/prepare.py URL EMAIL PASSWORD OTHER_EMAIL OTHER_PASSWORD CONFIG
    python3 api/prepare.py URL EMAIL PASSWORD    # only signs in (as 192.0.2.1), prints the token

Signs EMAIL in three times (the token the signed-in run uses, and two other
devices: the ones `DELETE /api/v1/me/devices/{id}` may sign out) and
OTHER_EMAIL once (a device of another account, which must answer 404);
starts and pays a sandbox subscription; reads the stories,
newsletters, plans and e-paper days the demo serves. Writes CONFIG, a
`schemathesis.toml` whose dictionaries hold these values, bound to the
parameters that name them, so generated cases reach the success paths too
(the binding's probability leaves room for generated values). Prints the
token.
"""

import datetime
import json
import sys
import urllib.request

url = sys.argv[1]


def call(method, path, body=None, token=None, client=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if client:
        headers["X-Forwarded-For"] = client
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def sign_in(address, secret, client=None):
    return call("POST", "/api/v1/session", {"email": address, "password": secret}, client=client)["token"]


if len(sys.argv) == 4:
    # `prepare.py URL EMAIL PASSWORD`: just sign in, print the token. After the
    # runs, 127.0.0.1 has used up its log-in limit with refused log-ins, so this
    # comes as another client, forwarded by the (trusted) 127.0.0.1.
    print(sign_in(*sys.argv[2:], client="192.0.2.1"))
    sys.exit()


def device_ids(token, current):
    """The ids of the token's account's devices: the token's own, or the others."""
    return [d["id"] for d in call("GET", "/api/v1/me/devices", token=token)["devices"] if d["current"] == current]


email, password, other_email, other_password, config = sys.argv[2:]
token, *_ = [sign_in(email, password) for _ in range(3)]
theirs = device_ids(sign_in(other_email, other_password), True)
devices = device_ids(token, False)

plans = [p["id"] for p in call("GET", "/api/v1/plans?limit=100")["plans"]]
checkout = call("POST", "/api/v1/subscriptions", {"plan_id": plans[0], "provider": "sandbox"}, token)
subscription = checkout["subscription_id"]
call("POST", f"/api/v1/sandbox/{subscription}/pay", {"card": "4242 4242 4242 4242"}, token)
stories = [a["id"] for a in call("GET", "/api/v1/articles?limit=20")["articles"]]
newsletters = [n["slug"] for n in call("GET", "/api/v1/newsletters?limit=100")["newsletters"]]
days = sorted({e["date"] for e in call("GET", "/api/v1/epaper/editions?limit=20")["editions"]})

dictionaries = {
    "stories": stories,
    "newsletters": newsletters,
    "plans": plans,
    "subscriptions": [subscription],
    # Two of this account's other devices, another account's, and one that never was.
    "devices": devices + theirs + [999999],
    # The other account's credentials: some log-ins succeed (its own older sessions may lapse).
    "other_emails": [other_email],
    "other_passwords": [other_password],
    # A gift's recipient and delivery days: tomorrow (UTC) is today or later
    # on the publisher's calendar, and a month on is within the year allowed.
    "recipients": ["friend@example.com"],
    "gift_days": [str(datetime.date.today() + datetime.timedelta(days=n)) for n in (1, 30)],
}
if days:
    dictionaries["days"] = days
# Operations (a path pattern, matching no other's operations) and their parameters' dictionaries.
bindings = {
    "/api/v1/(articles|access)/\\{id\\}$": {"path.id": "stories"},
    "/api/v1/newsletters/\\{slug\\}/subscribe$": {"path.slug": "newsletters"},
    "/api/v1/subscriptions$": {"body.plan_id": "plans"},
    "/api/v1/gifts$": {"body.plan_id": "plans", "body.recipient_email": "recipients", "body.deliver_on": "gift_days"},
    "/api/v1/subscriptions/\\{id\\}/switch$": {"path.id": "subscriptions", "body.plan_id": "plans"},
    "/api/v1/(subscriptions/\\{id\\}/(cancel|resume)|sandbox/\\{id\\}/pay)$": {"path.id": "subscriptions"},
    "/api/v1/me/devices/\\{id\\}$": {"path.id": "devices"},
    "/api/v1/session$": {"body.email": "other_emails", "body.password": "other_passwords"},
}
if days:
    bindings["/api/v1/epaper/editions/\\{day\\}$"] = {"path.day": "days"}

with open(config, "w") as out:
    for name, values in dictionaries.items():
        out.write(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n\n")
    for path, parameters in bindings.items():
        bound = ", ".join(f'"{p}" = {{ dictionary = "{d}", probability = 0.7 }}' for p, d in parameters.items())
        out.write(f"[[operations]]\ninclude-path-regex = {json.dumps(path)}\nparameters = {{ {bound} }}\n\n")
print(token)
