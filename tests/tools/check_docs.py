#!/usr/bin/env python3
"""Checks that a tool's --help, its man page and its shell completions agree.

For the tool and each of its subcommands: every option that --help lists must appear in the man
page source and in the bash, zsh and fish completions; every option a completion offers must
exist in --help; the rendered man page must format without warnings; and the bash and fish
completions, when run, must complete a long option from its prefix. Exit 0 when all hold.
"""
import argparse
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_text(tool, args):
    out = subprocess.run([tool, *args, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"{tool} {' '.join(args)} --help exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def parse_help(text):
    """Options (first column of the Options: section) and subcommand names."""
    options, subcommands, section = set(), [], None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line.rstrip(":").strip().lower()
            continue
        if not line.startswith("  "):
            continue
        first_column = re.split(r"\s{2,}", line.strip())[0]
        if section and section.startswith("subcommands"):
            subcommands.append(first_column.split()[0])
        elif first_column.startswith("-"):
            for token in first_column.split(","):
                word = token.strip().split(" ")[0]
                if OPTION.fullmatch(word):
                    options.add(word)
    return options, subcommands


def mentioned(text, option):
    return re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", text) is not None


def fish_mentions(text, option):
    if option.startswith("--"):
        return re.search(r"(?:-l|--long-option)\s+'?" + re.escape(option[2:]) + r"\b", text)
    return re.search(r"(?:-s|--short-option)\s+'?" + re.escape(option[1:]) + r"\b", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--rendered", required=True)
    ap.add_argument("--completions", required=True)
    a = ap.parse_args()
    name = os.path.basename(a.tool)
    problems = []

    options, subcommands = parse_help(help_text(a.tool, []))
    for sub in subcommands:
        sub_options, nested = parse_help(help_text(a.tool, [sub]))
        options |= sub_options
        for inner in nested:
            options |= parse_help(help_text(a.tool, [sub, inner]))[0]
    options.discard("-h")  # CLI11's -h is listed with --help; both are checked through --help
    options.add("--help")

    man = open(a.man, encoding="utf-8").read()
    comp = {kind: open(os.path.join(a.completions, f"{name}.{kind}"), encoding="utf-8").read()
            for kind in ("bash", "zsh", "fish")}
    # What bash offers: the word lists of its compgen -W calls.
    bash_words = " ".join(re.findall(r'compgen\s+-W\s+"([^"]*)"', comp["bash"], re.S))
    for option in sorted(options):
        if not mentioned(man, option):
            problems.append(f"{a.man}: option {option} from --help is not documented")
        if not mentioned(bash_words, option):
            problems.append(f"completions/{name}.bash: option {option} is not offered")
        if not mentioned(comp["zsh"], option):
            problems.append(f"completions/{name}.zsh: option {option} is missing")
        if not fish_mentions(comp["fish"], option):
            problems.append(f"completions/{name}.fish: option {option} is missing")
    for sub in subcommands:
        if not mentioned(man, sub):
            problems.append(f"{a.man}: subcommand {sub} is not documented")
        for kind in ("bash", "zsh", "fish"):
            if sub not in comp[kind]:
                problems.append(f"completions/{name}.{kind}: subcommand {sub} is missing")

    # Stale completions: options offered that the tool does not have.
    offered = set(OPTION.findall(bash_words))
    offered |= {"--" + m for m in re.findall(r"(?:-l|--long-option)\s+'?([\w-]+)", comp["fish"])}
    for option in sorted(offered - options - {"-h"}):
        if option.startswith("--"):
            problems.append(f"completions: {option} is offered but not in --help")

    # The rendered page formats cleanly.
    render = subprocess.run(["man", "--warnings=all", "-l", a.rendered], capture_output=True,
                            text=True, env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat",
                                            "PAGER": "cat"}, timeout=30)
    if render.returncode != 0 or name not in render.stdout:
        problems.append(f"{a.rendered}: man -l failed: {render.stderr.strip()}")
    elif render.stderr.strip():
        problems.append(f"{a.rendered}: groff warnings: {render.stderr.strip()}")

    # The completions run: a long option completes from its prefix.
    longs = sorted(o for o in options if o.startswith("--") and o != "--help")
    if longs:
        probe = longs[0]
        prefix = probe[:4]
        fn = re.search(r"complete\s+.*-F\s+(\S+)\s+" + re.escape(name), comp["bash"])
        if not fn:
            problems.append(f"completions/{name}.bash: no 'complete -F FUNC {name}' line")
        else:
            script = (f"source /usr/share/bash-completion/bash_completion 2>/dev/null; "
                      f"source {os.path.join(a.completions, name + '.bash')}; "
                      f"COMP_WORDS=({name} {prefix}); COMP_CWORD=1; COMP_LINE='{name} {prefix}'; "
                      f"COMP_POINT=${{#COMP_LINE}}; {fn.group(1)} {name} {prefix} {name}; "
                      f"printf '%s\\n' \"${{COMPREPLY[@]}}\"")
            out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
            if probe not in out.stdout.split():
                problems.append(f"bash completion of '{prefix}' did not offer {probe}: {out.stdout!r}")
        fish = subprocess.run(["fish", "--no-config", "-c",
                               f"source {os.path.join(a.completions, name + '.fish')}; "
                               f"complete -C '{name} {prefix}'"],
                              capture_output=True, text=True, timeout=30)
        if probe not in [l.split("\t")[0] for l in fish.stdout.splitlines()]:
            problems.append(f"fish completion of '{prefix}' did not offer {probe}: {fish.stdout!r}")
    zsh = subprocess.run(["zsh", "-n", os.path.join(a.completions, name + ".zsh")],
                         capture_output=True, text=True, timeout=30)
    if zsh.returncode != 0:
        problems.append(f"completions/{name}.zsh: zsh -n: {zsh.stderr.strip()}")

    for p in problems:
        print(p)
    print(f"{name}: {len(options)} options, {len(subcommands)} subcommands, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
