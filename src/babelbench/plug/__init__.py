"""PLUG (pivot-language guided generation): section labels, the composed training response and
the target part kept at evaluation, and the system lines -- one package, so the training format and
the evaluation filter cannot drift apart."""
