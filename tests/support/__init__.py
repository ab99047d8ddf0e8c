"""Test helpers shared by the unit, integration and contract suites."""
