import sys

from hygiene.probe.cli import main

sys.exit(main())
