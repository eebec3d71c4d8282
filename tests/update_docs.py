"""Write the generated parts of the docs: the behavioural-parameter table in docs/ODD.md.

    .venv/bin/python tests/update_docs.py

``tests/test_structure.py`` fails when the table in the ODD differs from
``jcs_sim.parameters.markdown_table()``.
"""

from __future__ import annotations

from pathlib import Path

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
START, END = "<!-- parameters:start -->\n", "<!-- parameters:end -->\n"


def odd_with_table(text: str) -> str:
    """The ODD text with the block between the markers replaced by the current table."""
    from jcs_sim.parameters import markdown_table

    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + markdown_table() + END + tail


def main() -> None:
    ODD.write_text(odd_with_table(ODD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the parameter table in {ODD}")


if __name__ == "__main__":
    main()
