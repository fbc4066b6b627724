"""Test-set overlap with the training split, as in GPT-2's section 4."""
