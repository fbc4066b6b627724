"""Where links come from: Pushshift-format dumps, URL lists, and the rules that pick links."""
