"""`webtext show`'s reading of a corpus: one document or dropped record with its provenance (find.py), or
many, filtered and paged (listing.py)."""
