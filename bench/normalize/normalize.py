#!/usr/bin/env python3
"""What an administrator would otherwise write: apply a normalization rules file with Python's re.

Reads the rules file (pattern and translation line pairs, '#' comments), then numbers from stdin,
and prints NUMBER<TAB>RESULT<TAB>RULE_LINE like rcc-normalize-test's batch mode.
"""
import re
import sys


def load(path):
    rules, pending = [], None
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if pending is None:
                pending = (re.compile(line), number)
            else:
                rules.append((pending[0], pending[1], re.sub(r"\$(\d+)", r"\\g<\1>", line)))
                pending = None
    return rules


def main():
    rules = load(sys.argv[1])
    out = sys.stdout
    for number in sys.stdin:
        number = number.rstrip("\r\n")
        for regex, line, template in rules:
            m = regex.search(number)
            if m:
                result = m.expand(template)
                if not result.startswith("tel:"):
                    result = "tel:" + result
                out.write(f"{number}\t{result}\t{line}\n")
                break
        else:
            out.write(f"{number}\t\t\n")


if __name__ == "__main__":
    main()
