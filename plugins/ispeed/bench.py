"""``python -m ispeed.bench``: the benchmark (ispeed.devtools.bench), under the name that the README
and ``make bench`` give."""

import sys

from ispeed.devtools.bench import main

if __name__ == "__main__":
    sys.exit(main())
