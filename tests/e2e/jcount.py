#!/usr/bin/env python3
"""Count JSON lines that match, for tests/run-e2e.sh.

    jcount.py FILE [--sum FIELD] COND...

COND is KEY=VALUE (the value, as text, equals VALUE) or KEY^PREFIX (the
value starts with PREFIX).  Prints how many objects match every COND, or
with --sum the sum of FIELD over them.  Every line must be a JSON object:
otherwise it says which line is not and exits 1.
"""
import json
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path, args = args[0], args[1:]
    field = None
    if args[:1] == ["--sum"]:
        field, args = args[1], args[2:]
    conds = []
    for a in args:
        for op in ("=", "^"):
            if op in a:
                key, val = a.split(op, 1)
                conds.append((key, op, val))
                break
        else:
            sys.exit("jcount: bad condition %r" % a)
    total = 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                print("jcount: %s:%d: not JSON (%s): %s" % (path, n, e, line.rstrip()),
                      file=sys.stderr)
                sys.exit(1)
            if not isinstance(obj, dict):
                print("jcount: %s:%d: not an object" % (path, n), file=sys.stderr)
                sys.exit(1)
            ok = True
            for key, op, val in conds:
                if key not in obj:
                    ok = False
                    break
                text = obj[key] if isinstance(obj[key], str) else json.dumps(obj[key])
                if (op == "=" and text != val) or (op == "^" and not text.startswith(val)):
                    ok = False
                    break
            if ok:
                total += obj.get(field, 0) if field else 1
    print(total)


main()
