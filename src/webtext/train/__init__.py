"""The bundled GPT-2 trainer; it reads the corpus's token shards through webtext.shards.reader."""
