"""Contract fixtures recorded from Agno 3.1.10 and the tools that record them (``make gen-fixtures``).

Only ``contracts/generate.py`` and the scripts it runs inside ``.venv-agno`` touch Agno; the contract
suite (``tests/contract``) reads the committed JSON fixtures and never needs Agno.
"""
