"""What a corpus run did, for people: stats.json and a self-contained report.html with plots."""
