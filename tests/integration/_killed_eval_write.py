"""`harness run` that SIGKILLs itself while its evaluation's rows are being written to the store: inside the
store transaction, once the rows are inserted and before it commits.

Fault injection for the eval-artifact test: a real process killed the hard way, mid store write.
"""

import os
import signal
import sys

from babelbench.cli.app import main
from babelbench.core.records import EvalRows
from babelbench.store import writes

_write_eval = writes._ROW_WRITERS[EvalRows]


def write_then_die(con, key, rows):
    _write_eval(con, key, rows)
    os.kill(os.getpid(), signal.SIGKILL)


writes._ROW_WRITERS[EvalRows] = write_then_die
sys.argv = ["harness", *sys.argv[1:]]
main()
