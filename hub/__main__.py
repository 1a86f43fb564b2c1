"""`python -m hub`: the program's entry, handed to the composition root (hubbub/), which knows the
extensions. The one module under hub/ that imports outside it; the layer test allows it alone."""

import sys

from hubbub import main

sys.exit(main())
