"""`--quick`: the small run of a benchmark that `make bench` does, each script's own sizes.

    args = parse(parser, sizes=[10_000], runs=3)

adds `--quick` to the script's parser; with it, each named option the command line left at its
default takes the quick value instead (an option given explicitly is kept).
"""

from __future__ import annotations

import argparse


def parse(parser: argparse.ArgumentParser, **quick) -> argparse.Namespace:
    spelt = ", ".join(f"--{name.replace('_', '-')} {_spell(value)}" for name, value in quick.items())
    parser.add_argument("--quick", action="store_true", help=f"the run of `make bench`: {spelt or 'as is'}")
    args = parser.parse_args()
    if args.quick:
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args


def _spell(value) -> str:
    if isinstance(value, list):
        return " ".join(map(str, value))
    return "" if value is True else str(value)
