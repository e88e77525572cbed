"""Django's TimestampSigner, driven by the Java tests: one JSON request per line on stdin, one
answer per line on stdout. Requests:
  {"op": "sign", "secret": ..., "now": <unix seconds>, "value": "/media/docs/a.pdf"}
      -> the token as crossdomainmedia puts it in the URL: the last two parts of the signed value
  {"op": "check", "secret": ..., "now": ..., "max_age": ..., "value": ..., "token": ... or null}
      -> what crossdomainmedia's check_token makes of it: ok, missing, expired or bad
"""
import json
import sys

from django.conf import settings

settings.configure(SECRET_KEY="unused: every signer below is given its key")

from django.core import signing  # noqa: E402  (after settings.configure)

SEP = ":"


def at(now):
    # The signer reads the time from the time module it imported.
    signing.time.time = lambda: float(now)


def answer(req):
    signer = signing.TimestampSigner(key=req["secret"], sep=SEP)
    at(req["now"])
    if req["op"] == "sign":
        return SEP.join(signer.sign(req["value"]).rsplit(SEP, 2)[-2:])
    token = req.get("token")
    if token is None:
        return "missing"
    try:
        signer.unsign("{}:{}".format(req["value"], token), max_age=req["max_age"])
        return "ok"
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "bad"


for line in sys.stdin:
    print(json.dumps(answer(json.loads(line))), flush=True)
