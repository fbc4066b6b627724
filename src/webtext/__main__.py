"""`python -m webtext` is the `webtext` command."""

from webtext.pipeline.cli import main

raise SystemExit(main())
