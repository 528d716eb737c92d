import sys

from .cli import main, make_parser


sys.exit(main(make_parser().parse_args()))
