"""The command-line app (filled in by the foundation work)."""


def main() -> int:
    return 0
