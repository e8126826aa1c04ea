"""Reference documentation generated from the code, so it cannot drift from it.

- :mod:`.schema_pages`: ``docs/reference/campaign.md`` and ``project.md`` from the JSON Schemas
  (every field with its type, default, constraints, wire name and description);
- :mod:`.command_pages`: the usage block of each ``docs/commands/<name>.md`` from click's
  ``--help``;
- :mod:`.generated`: the set of files ``pushflow schema`` writes or checks (the schemas and
  these pages).
"""
