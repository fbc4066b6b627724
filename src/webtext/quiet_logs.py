"""Log records that say nothing to a webtext user, filtered out."""

import logging


class BeamImportNoise(logging.Filter):
    """Beam warns on import that optional Google Cloud clients are missing; webtext does not use them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("apitools not found")
