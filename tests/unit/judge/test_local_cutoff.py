"""The `local` judge backend's reading of a generation (no model here; the end-to-end check on builtin:tiny is
tests/integration/test_judges_local_cutoff.py): a reply that used all of ``max_tokens`` without an
end-of-sequence token was cut off -- no reply, an error saying so, counted failed, like an endpoint's
``finish_reason: length`` -- while a reply that ended (even on its last allowed token) is kept."""

from __future__ import annotations

from babelbench.judge.backends import LocalBackend, Request, _end_tokens
from babelbench.judge.schema import BackendConfig

EOS = 2


class Words:
    """Decodes token ids as words; ids in ``special`` are dropped with skip_special_tokens (as a tokenizer does)."""

    special = {EOS}

    def decode(self, ids, skip_special_tokens=False):
        return " ".join(f"w{i}" for i in ids if not (skip_special_tokens and i in self.special))


def _reply(generated: list[int], max_tokens: int = 4):
    backend = LocalBackend(BackendConfig(type="local", model="builtin:tiny", max_tokens=max_tokens))
    reply = backend._reply(Request("k", []), generated, {EOS}, Words(), 0.5)
    return reply, backend.stats.failed


def test_a_reply_cut_off_at_max_tokens_is_no_reply():
    reply, failed = _reply([5, 6, 7, 8])
    assert (reply.key, reply.text, failed) == ("k", None, 1)
    assert reply.error == "reply cut off at max_tokens=4 (generation did not end); raise judge.backend.max_tokens"


def test_a_reply_that_ended_is_kept():
    assert _reply([5, 6, EOS])[0].text == "w5 w6"
    reply, failed = _reply([5, 6, 7, EOS])            # ended on its last allowed token
    assert (reply.text, reply.error, failed) == ("w5 w6 w7", None, 0)
    reply, failed = _reply([5, EOS, EOS, EOS])        # ended early, padded with the end token in its batch
    assert (reply.text, failed) == ("w5", 0)


def test_the_end_tokens_come_from_the_generation_config_and_the_tokenizer():
    assert _end_tokens([1, 107], 1) == {1, 107}
    assert _end_tokens(None, 2) == {2}
    assert _end_tokens(3, None) == {3}
