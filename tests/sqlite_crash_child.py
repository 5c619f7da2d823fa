"""The process killed by tests/test_faults.py: 30 judges saving marks at once through the real
services into one SQLite file, each save logged on stdout only once its commit returned.

`python -m tests.sqlite_crash_child SPEC.json`. Lines, each written and flushed whole:
`try <judge> <pitch> <criterion> <value>` before a save, `ok ...` after its commit returned
(the acknowledgement), `error <judge> <message>` for a refused save.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from pathlib import Path

from pitchjudge.db import make_engine, session_scope
from pitchjudge.services import scoring


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    engine = make_engine(spec["url"])
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:  # one write per line: a line on the pipe is whole or absent
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    judges = list(zip(spec["judges"], spec["tokens"], strict=True))
    start = threading.Barrier(len(judges))

    def judge_loop(index: int, judge_id: int, token: str) -> None:
        rng = random.Random(spec["seed"] * 1000 + index)
        start.wait()
        while True:
            pitch = rng.choice(spec["pitches"])
            criterion = rng.choice(spec["criteria"])
            value = rng.randint(1, 5)
            say(f"try {judge_id} {pitch} {criterion} {value}")
            try:
                with session_scope(engine) as session:
                    scoring.save_mark(
                        session=session,
                        round_id=spec["round_id"],
                        judge_id=judge_id,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=value,
                        token=token,
                    )
            except Exception as error:  # reported: the test fails on any
                say(f"error {judge_id} {' '.join(str(error).split())[:200]}")
                continue
            say(f"ok {judge_id} {pitch} {criterion} {value}")
            time.sleep(rng.uniform(0, 0.01))

    threads = [
        threading.Thread(target=judge_loop, args=(i, j, t), daemon=True)
        for i, (j, t) in enumerate(judges)
    ]
    for thread in threads:
        thread.start()
    say("ready")
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1])
