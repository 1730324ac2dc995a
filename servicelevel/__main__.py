import os
import sys

from servicelevel.cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # Output piped into a reader that stopped early (`... | head`): not an error of ours.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
