"""What makes a corpus run safe, whatever the engine: the lock on --out (out_lock.py), the staging folder
and its swap (staging.py), the fingerprint a resumed run is matched by (fingerprint.py), the accounting
that must balance (accounting.py), the manifest (manifest.py), and corpus_run.py, which runs an engine
(engines/table.py) into staging and swaps the result in only when whole."""
