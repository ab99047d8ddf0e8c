"""Runs contract cases through Agno. Executed ONLY by ``.venv-agno/bin/python`` (never by Brisk's venv).

Protocol: one JSON request per line on stdin (``{"case": {...}, "urls": {...}, "workdir": "..."}``), one
JSON answer per line on the original stdout. Agno's own printing is sent to stderr so that it cannot
corrupt the protocol stream.
"""

import json
import os
import sys
import traceback

from contracts import program


def main() -> None:
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed by Agno or the SDKs -> stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            result = program.run_case("agno", req["case"], req["urls"], req["workdir"])
            answer = {"ok": True, "result": result}
        except Exception:  # noqa: BLE001 - reported to the generator, which fails the case loudly
            answer = {"ok": False, "error": traceback.format_exc()}
        proto.write(json.dumps(answer, default=repr) + "\n")


if __name__ == "__main__":
    main()
