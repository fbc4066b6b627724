"""Document filters: Wikipedia reached indirectly, length, language."""
