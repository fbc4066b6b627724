"""Which allocator Arrow uses in a worker that builds and writes shards.

Arrow's default pool here is mimalloc, which gave the tokenize stage's Arrow work (building
batches, the shard sort, the Parquet writer) back to the OS so eagerly that each new batch or
shard paid the page faults again. Measured on 65 MB of text (10,000 documents) through the batch
and shard functions outside Beam: 0.88 s with mimalloc, 0.50 s with jemalloc, 0.56 s with the
system allocator; the shard sort alone 0.29 vs 0.07 s.
"""

import logging

import pyarrow as pa

logger = logging.getLogger(__name__)


def use_fast_pool() -> None:
    """Make jemalloc (or, where this pyarrow lacks it, the system allocator) Arrow's pool in this process."""
    if "jemalloc" in pa.supported_memory_backends():
        pool = pa.jemalloc_memory_pool()
    else:
        pool = pa.system_memory_pool()
    if pa.default_memory_pool().backend_name != pool.backend_name:
        logger.debug("Arrow memory pool: %s instead of %s", pool.backend_name, pa.default_memory_pool().backend_name)
        pa.set_memory_pool(pool)
