"""Build the ActionArt Hub dataset from a raw release (same as `actionart-hf build-actionart`).

python dataset_scripts/build_actionart.py --release path/to/raw_release --out ActionArt --license cc-by-nc-4.0
python dataset_scripts/build_actionart.py --release raw --out ActionArt --push --repo-id <org>/ActionArt --dry-run
"""

# /// script
# dependencies = ["actionart-hf"]
# ///

import sys

from actionart_hf.cli import report_user_errors
from actionart_hf.data.cli import main, make_parser


if __name__ == "__main__":
    args = make_parser().parse_args()
    sys.exit(report_user_errors("build_actionart.py", lambda: main(args)))
