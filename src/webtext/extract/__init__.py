"""Main text and title of each fetched page, with trafilatura."""
