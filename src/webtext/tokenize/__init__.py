"""GPT-2 BPE, token and text shards, and the reader the trainer and overlap use.

This is `webtext.tokenize`; it shadows nothing because imports are absolute.
"""
