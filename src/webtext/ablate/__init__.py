"""`webtext ablate`: train small models on corpus variants, several seeds each, and tell which variant makes
the better model on held-out text, and whether the difference is real."""
