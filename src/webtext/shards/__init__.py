"""The corpus on disk, as every reader of it sees it: the manifest, token and text shards, their
integrity check, and GPT-2's encoding. The tokenize stage writes this format; training, overlap,
export, verify and the report read it."""
