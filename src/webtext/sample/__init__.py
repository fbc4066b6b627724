"""The bundled sample: a Pushshift-format dump and a WARC of the pages it links, made by a seeded
generator."""
