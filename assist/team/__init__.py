"""Team records: every workstation's calls in one central PostgreSQL (see docs/TEAM.md).

- ``config``: where the team server is (team.ini, no password) and the password (keyring or a 0600 file).
- ``server``: the server schema's numbered migrations (``sql/``), roles and row-level security (``team init``).
- ``sync``: the background worker that pushes the local outbox to the server, idempotently.
- ``report``: the supervisor's figures and call queries (``team report``, the 团队 window).
"""
