"""Database triggers for two invariants that a CHECK constraint cannot express.

1. Question versions, their choices and accepted blank answers are immutable: any UPDATE
   is refused (editing a question inserts a new version instead).
2. A finished attempt's score changes only with an audit row: an UPDATE that changes the
   score of a finished attempt is refused unless a ``ScoreChange`` row recording exactly
   that old and new score was written first, and a finished attempt never goes back to
   another state.

Both hold for every path that reaches the database: admin, shell, raw SQL, bulk updates.
"""

from django.db import migrations

IMMUTABLE_TABLES = ["quizzes_questionversion", "quizzes_choice", "quizzes_blankanswer"]

SQLITE_FORWARD = [
    *(
        f"""
        CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'studyapp: {table} rows are immutable'); END;
        """
        for table in IMMUTABLE_TABLES
    ),
    """
    CREATE TRIGGER quizzes_attempt_finished_score_audited
    BEFORE UPDATE OF score ON quizzes_attempt
    WHEN OLD.state = 'finished' AND NEW.score IS NOT OLD.score AND NOT EXISTS (
        SELECT 1 FROM quizzes_scorechange
        WHERE attempt_id = OLD.id AND old_score = OLD.score AND new_score = NEW.score
    )
    BEGIN SELECT RAISE(ABORT, 'studyapp: a finished score changes only with an audit row'); END;
    """,
    """
    CREATE TRIGGER quizzes_attempt_finished_stays_finished
    BEFORE UPDATE OF state ON quizzes_attempt
    WHEN OLD.state = 'finished' AND NEW.state <> 'finished'
    BEGIN SELECT RAISE(ABORT, 'studyapp: a finished attempt stays finished'); END;
    """,
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_immutable;" for table in IMMUTABLE_TABLES),
    "DROP TRIGGER IF EXISTS quizzes_attempt_finished_score_audited;",
    "DROP TRIGGER IF EXISTS quizzes_attempt_finished_stays_finished;",
]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION quizzes_refuse_update() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'studyapp: % rows are immutable', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION quizzes_refuse_update();
        """
        for table in IMMUTABLE_TABLES
    ),
    """
    CREATE FUNCTION quizzes_attempt_guard() RETURNS trigger AS $$
    BEGIN
        IF OLD.state = 'finished' AND NEW.state <> 'finished' THEN
            RAISE EXCEPTION 'studyapp: a finished attempt stays finished'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.state = 'finished' AND NEW.score IS DISTINCT FROM OLD.score AND NOT EXISTS (
            SELECT 1 FROM quizzes_scorechange
            WHERE attempt_id = OLD.id AND old_score = OLD.score AND new_score = NEW.score
        ) THEN
            RAISE EXCEPTION 'studyapp: a finished score changes only with an audit row'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER quizzes_attempt_guard BEFORE UPDATE ON quizzes_attempt
    FOR EACH ROW EXECUTE FUNCTION quizzes_attempt_guard();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS quizzes_attempt_guard ON quizzes_attempt;",
    "DROP FUNCTION IF EXISTS quizzes_attempt_guard();",
    *(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};" for table in IMMUTABLE_TABLES),
    "DROP FUNCTION IF EXISTS quizzes_refuse_update();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"studyapp supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}"
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0001_initial_schema")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
