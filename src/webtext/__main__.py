"""`python -m webtext` is the `webtext` command."""

from webtext.entry import main

if __name__ == "__main__":  # guarded: process pools may import this module without running it
    raise SystemExit(main())
