"""`webtext inspect`: what a token shard holds, and a document decoded."""

from webtext.printable import printable
from webtext.shards.gpt2 import gpt2_encoding
from webtext.shards.reader import TokenShard


def describe_shard(path: str, document: int | None = None, max_chars: int | None = 2000) -> str:
    """The shard's counts and metadata; with `document`, that document decoded, its first `max_chars`
    characters (None: all of it), saying so when it is cut."""
    shard = TokenShard(path)
    tokens = shard.flat_tokens()
    lines = [f"{path}", f"  documents {shard.num_documents}, tokens {len(tokens)}"]
    lines += [f"  {key}: {value}" for key, value in sorted(shard.metadata.items())]
    if document is not None:
        ids = shard.document(document)
        text = gpt2_encoding().decode(ids[:-1].tolist())
        lines += [f"\ndocument {document} ({shard.doc_id(document)}), {len(ids)} tokens:",
                  printable(text[:max_chars], keep_lines=True)]
        if max_chars is not None and len(text) > max_chars:
            lines.append(f"[... cut at {max_chars:,} of {len(text):,} characters; --full shows all of it]")
    return "\n".join(lines)
