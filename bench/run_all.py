"""Run every benchmark in this folder, one after another; each prints its own table."""

import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).parent
failed = 0
for script in sorted(here.glob("bench_*.py")):
    print(f"\n### {script.name}", flush=True)
    failed += subprocess.run([sys.executable, str(script)], cwd=here).returncode != 0
sys.exit(1 if failed else 0)
