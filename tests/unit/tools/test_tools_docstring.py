"""Docstring → description and parameter descriptions (expected values checked against Agno 3.1.10,
which reads docstrings with docstring_parser)."""

from __future__ import annotations

import pytest

from brisk.tools import Function
from brisk.tools._docstring import parse_docstring


def described(doc: str) -> tuple[str, dict[str, str]]:
    parsed = parse_docstring(doc)
    return parsed.description, {name: p.for_schema() for name, p in parsed.params.items()}


def test_google_full() -> None:
    doc = """Get the weather.
    Second line of summary.

    More details here
    spanning lines.

    Args:
        city (str): Name of the city,
            continued on next line.
        days (int, optional): Number of days. Defaults to 1.
        unit: The unit.

            With a blank line inside.

    Returns:
        str: The weather.

    Raises:
        ValueError: if bad.
    """
    assert described(doc) == (
        "Get the weather.\nSecond line of summary.\n\nMore details here\nspanning lines.",
        {
            "city": "(str) Name of the city,\ncontinued on next line.",
            "days": "(int) Number of days. Defaults to 1.",
            "unit": "The unit.\nWith a blank line inside.",
        },
    )


def test_blank_line_after_summary_is_dropped() -> None:
    assert described("Summary.\n\nBody text.")[0] == "Summary.\nBody text."
    assert described("Summary line\nthat wraps.\n\nArgs:\n    a: A.\n")[0] == "Summary line\nthat wraps."


def test_sections_end_the_description() -> None:
    doc = """Do it.

    Example:
        >>> do_it(1)

    Note:
        Be careful.

    Args:
        city: City.
    """
    # Agno's parser stops the description at the first known section (Example), dropping the note.
    assert described(doc) == ("Do it.", {"city": "City."})


def test_unknown_heading_at_column_zero_ends_a_section() -> None:
    doc = """Do it.

    Arguments:
        city: City.
        days: Days:  with colon.
    Keyword Args:
        unit: Unit.
    """
    assert described(doc) == ("Do it.", {"city": "City.", "days": "Days:  with colon."})


def test_description_on_the_next_line() -> None:
    doc = """Do it.

    Args:
      city:
        City on next line.
      days: Days
    """
    assert described(doc)[1] == {"city": "City on next line.", "days": "Days"}


def test_rest_style() -> None:
    doc = """Get weather.

    Long text.

    :param city: Name of the city.
    :type city: str
    :param int days: Days.
    :returns: weather
    """
    assert described(doc) == (
        "Get weather.\nLong text.",
        {"city": "(str) Name of the city.", "days": "(int) Days."},
    )


def test_numpy_style() -> None:
    doc = """Get weather.

    Long numpy text.

    Parameters
    ----------
    city : str
        Name of the city.
    days : int, optional
        Number of days.
    flag : bool, default True
        A flag.

    Returns
    -------
    str
        Weather.

    Examples
    --------
    >>> get(1)
    1
    """
    assert described(doc) == (
        "Get weather.\nLong numpy text.",
        {"city": "(str) Name of the city.", "days": "(int) Number of days.", "flag": "(bool) A flag."},
    )


def test_epydoc_style() -> None:
    doc = """Do it.

    @param city: The city.
    @type city: str
    @return: foo
    """
    assert described(doc) == ("Do it.", {"city": "(str) The city."})


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("", ("", {})),
        ("   ", ("", {})),
        ("Summary only, no sections.", ("Summary only, no sections.", {})),
        (
            "\n    Leading newline summary.\n\n    Args:\n        a: A.\n    ",
            ("Leading newline summary.", {"a": "A."}),
        ),
        # An item without a colon makes the Google reading fail; the text then stays as written.
        ("Sum.\n\nArgs:\n    a\n", ("Sum.\nArgs:\n    a", {})),
        # A Returns section alone is read as Google (one entry beats none).
        ("Sum.\n\nReturns:\n    int: total\n", ("Sum.", {})),
    ],
)
def test_edge_cases(doc: str, expected: tuple[str, dict[str, str]]) -> None:
    assert described(doc) == expected


def test_function_uses_docstring_for_description_and_parameters() -> None:
    def search(query: str, limit: int = 10) -> list[str]:
        """Search the web.

        Returns the top results.

        Args:
            query: What to look for.
            limit (int): How many results.

        Returns:
            The results.
        """
        return []

    fn = Function.from_callable(search)
    assert fn.description == "Search the web.\nReturns the top results."
    assert fn.parameters["properties"] == {
        "query": {"type": "string", "description": "What to look for."},
        "limit": {"type": "integer", "description": "(int) How many results."},
    }


def test_documented_but_unknown_parameters_are_ignored() -> None:
    def f(a: int) -> None:
        """F.

        Args:
            a: A.
            ghost: Not a parameter.
        """

    assert Function.from_callable(f).parameters["properties"] == {
        "a": {"type": "integer", "description": "A."}
    }
