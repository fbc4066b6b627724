"""webtext: an open, reproducible rebuild of GPT-2's WebText corpus."""

import logging

__version__ = "0.1.0"

# A library never configures logging; only the CLI does.
logging.getLogger(__name__).addHandler(logging.NullHandler())
