import sys

from servicelevel.cli import main

sys.exit(main())
