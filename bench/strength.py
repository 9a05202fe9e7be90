"""Strength-check benchmark: zxcvbn 4.5 against hygiene.policy.l33t (the bounded l33t matching).

    .venv/bin/python bench/strength.py

Prints, in the same run, the CPU time of each on l33t-heavy strings up to 72 characters (the
worst case, each the first check of its l33t table: the kept substitution tables are cleared
before it) and on zxcvbn-style ordinary passwords, whether their scores and guesses agree (they
must), and the load average before and after. Target: worst case ≤ 100 ms of CPU at 72
characters.
"""

import os
import sys
import time
from pathlib import Path

from zxcvbn import zxcvbn as original

from hygiene.policy import l33t, l33t_subs, strength

sys.path.insert(0, str(Path(__file__).parent.parent))
from collections.abc import Callable

from tests.policy.test_l33t_bound import ORDINARY, WORST


def cpu(call: Callable[..., object], *args: object) -> float:
    started = time.process_time()
    call(*args)
    return time.process_time() - started


def main() -> None:
    inputs = list(strength.vietnamese_common())
    l33t.zxcvbn("warm-up", inputs)
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{'password':>10} {'zxcvbn':>9} {'bounded':>9}  same")
    for size in (24, 48, 72):
        text = WORST[:size]
        a = cpu(original, text, inputs)
        l33t_subs.clear()
        b = cpu(l33t.zxcvbn, text, inputs)
        same = original(text, user_inputs=inputs)["guesses"] == l33t.zxcvbn(text, inputs)["guesses"]
        print(f"{'l33t ' + str(size):>10} {a * 1000:8.1f}ms {b * 1000:8.1f}ms  {same}")
    a = sum(cpu(original, p, inputs) for p in ORDINARY)
    b = sum(cpu(l33t.zxcvbn, p, inputs) for p in ORDINARY)
    agree = sum(
        original(p, user_inputs=inputs)["score"] == l33t.zxcvbn(p, inputs)["score"]
        for p in ORDINARY
    )
    print(f"{len(ORDINARY)} ordinary: zxcvbn {a * 1000:.1f} ms, bounded {b * 1000:.1f} ms;"
          f" same score for {agree}/{len(ORDINARY)}")  # fmt: skip
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
