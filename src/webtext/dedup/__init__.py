"""Exact and near-duplicate removal (MinHash LSH with datasketch), deterministic on any runner."""
