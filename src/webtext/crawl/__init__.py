"""Getting the pages: replay from WARC files, or polite, safe live fetching that writes WARC files."""
