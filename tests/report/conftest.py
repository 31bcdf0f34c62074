"""The report tests use the messy-file corpus of the data-reading tests (tests/messy_files.py)."""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
