"""Write tests/fuzz/corpus/: hostile files, named ``KIND.CASE.yaml`` (``any`` stands for every kind).

Run ``.venv/bin/python -m tests.fuzz.make_corpus`` after changing the cases; the files are
committed so that a failure names a file one can open.
"""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.harness import KIND_FILES, shipped

CORPUS = Path(__file__).parent / "corpus"


def _bomb(levels: int) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _generic(kind: str) -> dict[str, bytes]:
    """Hostile versions of any file, built from the shipped one where that matters."""
    text = shipped()[KIND_FILES[kind]]
    return {
        "billion-laughs": (text + _bomb(9)).encode(),
        "bomb-in-value": text.encode() + b"x: &a [" + b"*a, " * 3 + b"]\n",
        "recursive-alias": (text + "loop: &loop [*loop]\n").encode(),
        "deep-lists": ("x: " + "[" * 5000 + "\n").encode(),
        "deep-maps": ("x: " + "{a: " * 3000 + "\n").encode(),
        "deep-block": ("x:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 300))).encode(),
        "nul-byte": text.replace("\n", "\n\x00", 3).encode(),
        "control-char": text.replace(":", ":\x1b", 1).encode(),
        "utf16": text.encode("utf-16"),
        "utf16-no-bom": text.encode("utf-16-le"),
        "latin1": (text + "note: caf\xe9\n").encode("latin-1"),
        "empty": b"",
        "comments-only": b"# nothing here\n",
        "top-level-list": b"- a\n- b\n",
        "top-level-scalar": b"just text\n",
        "python-tag": b"x: !!python/object/apply:os.system ['echo pwned']\n",
        "unknown-tag": (text + "y: !secret value\n").encode(),
        "duplicate-anchor": b"a: &x 1\nb: &x 2\n",
        "undefined-alias": b"a: *nowhere\n",
        "two-documents": (text + "---\n" + text).encode(),
        "long-key": (text + "k" * 100_000 + ": 1\n").encode(),
        "long-value": (text + "v: " + "x" * 200_000 + "\n").encode(),
        "tab-indent": text.replace("\n  ", "\n\t", 2).encode(),
        "merge-non-map": b"a: 1\nb:\n  <<: *a\n",
        "huge-int": (text + "n: " + "9" * 5000 + "\n").encode(),
        "far-timestamp": (text + "t: 9999-12-31T23:59:59-12:00\n").encode(),
    }


def _replace(kind: str, old: str, new: str) -> bytes:
    text = shipped()[KIND_FILES[kind]]
    assert old in text, (kind, old)
    return text.replace(old, new, 1).encode()


def _specific() -> dict[str, bytes]:
    digits = "9" * 5000
    return {
        "runbook.fail-after-99999999d": _replace(
            "runbook", "fail_after: 27h", "fail_after: 99999999d"
        ),
        "runbook.fail-after-24-digits": _replace(
            "runbook", "fail_after: 27h", "fail_after: 999999999999999999999999d"
        ),
        "runbook.fail-after-5000-digits": _replace(
            "runbook", "fail_after: 27h", f"fail_after: {digits}d"
        ),
        "runbook.warn-after-fraction": _replace(
            "runbook", "warn_after: 25h", "warn_after: 0.0000001s"
        ),
        "runbook.source-path": _replace("runbook", "source: default", "source: ../../etc"),
        "runbook.pipeline-long": _replace(
            "runbook", "pipeline: example-pipeline", "pipeline: " + "p" * 10_000
        ),
        "rotation.shift-days-5000-digits": _replace(
            "rotation", "shift_days: 7", f"shift_days: {digits}"
        ),
        "rotation.shift-days-negative": _replace("rotation", "shift_days: 7", "shift_days: -7"),
        "rotation.shift-days-float": _replace("rotation", "shift_days: 7", "shift_days: 1e308"),
        "rotation.horizon-billion": _replace("rotation", "horizon: 8", "horizon: 1000000000"),
        "rotation.start-9999": _replace("rotation", "start: 2026-11-30", "start: 9999-12-31"),
        "rotation.start-0001": _replace("rotation", "start: 2026-11-30", "start: 0001-01-01"),
        "rotation.override-to-9999": _replace(
            "rotation",
            "overrides: []",
            "overrides:\n  - {rotation: primary, start: 2026-12-01T09:00, end: 9999-12-31T00:00,"
            " person: bob}",
        ),
        "rotation.override-from-0001": _replace(
            "rotation",
            "overrides: []",
            "overrides:\n  - {rotation: primary, start: 0001-01-01T00:00, end: 2026-12-01T00:00,"
            " person: bob}",
        ),
        "rotation.timezone-10000": _replace(
            "rotation", "timezone: Asia/Kolkata", "timezone: " + "A" * 10_000
        ),
        "rotation.timezone-dotdot": _replace(
            "rotation", "timezone: Asia/Kolkata", "timezone: ../../../../etc/passwd"
        ),
        "rotation.timezone-absolute": _replace(
            "rotation", "timezone: Asia/Kolkata", "timezone: /etc/localtime"
        ),
        "rotation.id-path": _replace("rotation", "  primary:", "  ../../x:"),
        "owners.runbook-path": _replace("owners", "runbook: example", "runbook: ../config/owners"),
        "owners.timezone-10000": _replace(
            "owners", "timezone: Asia/Kolkata", "timezone: " + "A" * 10_000
        ),
        "owners.person-nul": _replace("owners", "  alice:", "  ali\\0ce:"),
        "owners.company-holiday-9999": _replace(
            "owners", "company_holidays: []", "company_holidays: [{date: 9999-12-31, name: end}]"
        ),
        "owners.company-holiday-0001": _replace(
            "owners", "company_holidays: []", "company_holidays: [{date: 0001-01-01, name: start}]"
        ),
        "owners.email-injection": _replace(
            "owners", '    name: "Bob"', '    name: "Bob"\n    email: "b@x.io\\r\\nBcc: e@vil.io"'
        ),
        "paging.repeat-30-digits": _replace(
            "paging",
            "high: {channels: [slack]}",
            "high: {channels: [slack], repeat: " + "9" * 30 + "}",
        ),
        "paging.quiet-hours-garbage": _replace("paging", '"21:00-08:00"', '"99:99-\\0"'),
        "paging.webhook-env-injection": _replace(
            "paging", "webhook_url_env: ONCALL_SLACK_WEBHOOK", 'webhook_url_env: "A=B; rm -rf /"'
        ),
        "paging.url-file": _replace(
            "paging",
            "slack: {kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK}",
            'slack: {kind: webhook, url: "file:///etc/passwd"}',
        ),
        "paging.channels-alias-bomb": _replace("paging", "channels:\n", "x: &x [a, a]\nchannels:\n")
        + _bomb(8).encode(),
        "state.path-escape": _replace("state", "path: ../state", "path: ../../../../../etc"),
        "state.source-dotdot": _replace("state", "  default:", "  ../x:"),
        "state.timeout-huge": _replace(
            "state",
            "sources:\n",
            "sources:\n  gcp: {kind: cloud-monitoring, project: p, timeout: 99999999999d}\n",
        ),
    }


def corpus() -> dict[str, bytes]:
    out = {f"any.{case}.yaml": data for case, data in _generic("owners").items()}
    out.update({f"{name}.yaml": data for name, data in _specific().items()})
    return out


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.glob("*.yaml"):
        old.unlink()
    for name, data in corpus().items():
        (CORPUS / name).write_bytes(data)
    print(f"{len(corpus())} files in {CORPUS}")


if __name__ == "__main__":
    main()
