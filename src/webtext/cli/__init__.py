"""The `webtext` command line: every command's parser and handler (main.py holds the table and the one
error tail; corpus.py the corpus command, its flag checks and summary; show.py the show command). The
trainer's commands live beside the trainer (train/commands.py), `webtext ablate` in ablate/."""
