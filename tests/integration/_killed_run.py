"""`harness run` that SIGKILLs itself right after the training checkpoint of step KILL_AT_STEP.

Fault injection for the resume test: a real process killed the hard way, mid-training.
"""

import os
import signal
import sys

from transformers import TrainerCallback

from babelbench.cli.app import main
from babelbench.train import trainer


class KillAfterCheckpoint(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        if state.global_step >= int(os.environ["KILL_AT_STEP"]):
            os.kill(os.getpid(), signal.SIGKILL)


trainer.EXTRA_CALLBACKS.append(KillAfterCheckpoint())
sys.argv = ["harness", *sys.argv[1:]]
main()
