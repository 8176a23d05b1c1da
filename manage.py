#!/usr/bin/env python
"""Django's command-line utility (``zhifa`` is the same thing installed as a console script)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

if __name__ == "__main__":
    from zhifa.cli import main

    main(sys.argv[1:])
