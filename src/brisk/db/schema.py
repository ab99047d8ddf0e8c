"""DDL of the v3 tables Brisk uses, as Agno 3.1.10 creates them in SQLite.

Column names, types, constraints and index names are Agno's (see ``sqlite-schema.sql`` in the reference
material), with the table names configurable. Index names derive from the table name the way Agno's do
(``idx_<table>_<column>``), so a file created by either side looks the same to the other.

Agno stamps each table it creates with a row in the versions table (``3.0.0`` for 3.1.10); its migration
manager reads that stamp to decide what to migrate, and treats a missing stamp as ``2.0.0``. Brisk writes
the same stamp for every table it creates, and none for tables that already existed.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = "3.0.0"


# The columns of the three tables Brisk reads and writes, in Agno's order (rows are dicts of these).
SESSION_COLUMNS = (
    "session_id",
    "session_type",
    "agent_id",
    "team_id",
    "workflow_id",
    "user_id",
    "session_data",
    "agent_data",
    "team_data",
    "workflow_data",
    "metadata",
    "summary",
    "created_at",
    "updated_at",
)
RUN_COLUMNS = (
    "run_id",
    "session_id",
    "run_type",
    "agent_id",
    "team_id",
    "workflow_id",
    "user_id",
    "parent_run_id",
    "status",
    "run_index",
    "run_data",
    "created_at",
    "updated_at",
)
MEMORY_COLUMNS = (
    "memory_id",
    "memory",
    "input",
    "agent_id",
    "team_id",
    "user_id",
    "topics",
    "feedback",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class TableSpec:
    kind: str  # "sessions", "runs", ... (Agno's table_type)
    create: str  # CREATE TABLE with a {t} placeholder for the table name (and {sessions} for runs)
    indexes: tuple[tuple[str, ...], ...]  # each entry: the indexed columns
    required: tuple[str, ...]  # columns an existing table must have to be usable


SESSIONS = TableSpec(
    kind="sessions",
    create="""CREATE TABLE IF NOT EXISTS "{t}" (
\tsession_id VARCHAR NOT NULL,
\tsession_type VARCHAR NOT NULL,
\tagent_id VARCHAR,
\tteam_id VARCHAR,
\tworkflow_id VARCHAR,
\tuser_id VARCHAR,
\tsession_data JSON,
\tagent_data JSON,
\tteam_data JSON,
\tworkflow_data JSON,
\tmetadata JSON,
\tsummary JSON,
\tcreated_at BIGINT NOT NULL,
\tupdated_at BIGINT,
\tPRIMARY KEY (session_id)
)""",
    indexes=(("created_at",), ("session_type",)),
    required=SESSION_COLUMNS,
)

RUNS = TableSpec(
    kind="runs",
    create="""CREATE TABLE IF NOT EXISTS "{t}" (
\trun_id VARCHAR NOT NULL,
\tsession_id VARCHAR NOT NULL,
\trun_type VARCHAR NOT NULL,
\tagent_id VARCHAR,
\tteam_id VARCHAR,
\tworkflow_id VARCHAR,
\tuser_id VARCHAR,
\tparent_run_id VARCHAR,
\tstatus VARCHAR,
\trun_index BIGINT,
\trun_data JSON NOT NULL,
\tcreated_at BIGINT NOT NULL,
\tupdated_at BIGINT,
\tPRIMARY KEY (run_id),
\tFOREIGN KEY(session_id) REFERENCES "{sessions}" (session_id) ON DELETE CASCADE
)""",
    indexes=(
        ("agent_id",),
        ("created_at",),
        ("run_type",),
        ("session_id",),
        ("session_id", "run_index"),
        ("status",),
        ("team_id",),
        ("user_id",),
        ("workflow_id",),
    ),
    required=RUN_COLUMNS,
)

MEMORIES = TableSpec(
    kind="memories",
    create="""CREATE TABLE IF NOT EXISTS "{t}" (
\tmemory_id VARCHAR NOT NULL,
\tmemory JSON NOT NULL,
\tinput VARCHAR,
\tagent_id VARCHAR,
\tteam_id VARCHAR,
\tuser_id VARCHAR,
\ttopics JSON,
\tfeedback VARCHAR,
\tcreated_at BIGINT NOT NULL,
\tupdated_at BIGINT,
\tPRIMARY KEY (memory_id)
)""",
    indexes=(("created_at",), ("updated_at",), ("user_id",)),
    required=MEMORY_COLUMNS,
)

METRICS = TableSpec(
    kind="metrics",
    create="""CREATE TABLE IF NOT EXISTS "{t}" (
\tid VARCHAR NOT NULL,
\tagent_runs_count BIGINT NOT NULL,
\tteam_runs_count BIGINT NOT NULL,
\tworkflow_runs_count BIGINT NOT NULL,
\tagent_sessions_count BIGINT NOT NULL,
\tteam_sessions_count BIGINT NOT NULL,
\tworkflow_sessions_count BIGINT NOT NULL,
\tusers_count BIGINT NOT NULL,
\ttoken_metrics JSON NOT NULL,
\tmodel_metrics JSON NOT NULL,
\tdate DATE NOT NULL,
\taggregation_period VARCHAR NOT NULL,
\tuser_id VARCHAR NOT NULL,
\tcreated_at BIGINT NOT NULL,
\tupdated_at BIGINT,
\tcompleted BOOLEAN NOT NULL,
\tPRIMARY KEY (id),
\tCONSTRAINT "{t}_uq_metrics_user_date_period" UNIQUE (user_id, date, aggregation_period)
)""",
    indexes=(("aggregation_period",), ("date",), ("user_id",)),
    required=("id", "date", "aggregation_period", "user_id", "token_metrics", "model_metrics"),
)

VERSIONS = TableSpec(
    kind="versions",
    create="""CREATE TABLE IF NOT EXISTS "{t}" (
\ttable_name VARCHAR NOT NULL,
\tversion VARCHAR NOT NULL,
\tcreated_at VARCHAR NOT NULL,
\tupdated_at VARCHAR,
\tPRIMARY KEY (table_name)
)""",
    indexes=(("created_at",),),
    required=("table_name", "version", "created_at", "updated_at"),
)


def quote(name: str) -> str:
    """Quote an identifier for SQLite (table names come from user configuration)."""
    return '"' + name.replace('"', '""') + '"'


def create_statements(spec: TableSpec, table: str, sessions_table: str = "agno_sessions") -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for one table, all ``IF NOT EXISTS``."""
    escaped = table.replace('"', '""')
    statements = [spec.create.format(t=escaped, sessions=sessions_table.replace('"', '""'))]
    for columns in spec.indexes:
        name = quote(f"idx_{table}_{'_'.join(columns)}")
        statements.append(f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} ({', '.join(columns)})")
    return statements
