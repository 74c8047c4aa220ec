"""Times to the millisecond, and append-only triggers that let an UPDATE through when it
changes nothing: loading a serialized copy of the database over itself (Django's
``serialized_rollback`` in tests saves every row it reads back, its JSON holding times to the
millisecond) is then not refused, while any real change still is.

PostgreSQL: ``audit_auditevent_no_update`` (UPDATE of a row whose values change) and
``audit_auditevent_no_delete`` (every DELETE of a row), both calling the function
``audit_auditevent_append_only``. SQLite: ``audit_auditevent_no_update``, the same rule column
by column (a column added later must be added to it); DELETE stays allowed there (Django's
flush empties SQLite tables with DELETE FROM)."""

import mnr.audit.models
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "source",
    "kind",
    "verb",
    "object_type",
    "object_id",
    "address",
    "detail",
)

POSTGRESQL = (
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    """CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION audit_auditevent_append_only()""",
    """CREATE TRIGGER audit_auditevent_no_delete
    BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
)
POSTGRESQL_BACK = (
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent",
    """CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
)
SQLITE_REFUSE = """BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: UPDATE of audit_auditevent refused');
END"""
SQLITE_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in COLUMNS)
SQLITE = (
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent\n"
    f"WHEN {SQLITE_CHANGED}\n{SQLITE_REFUSE}",
)
SQLITE_BACK = (
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    f"CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent\n{SQLITE_REFUSE}",
)


def _run(
    schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, tuple[str, ...]]
) -> None:
    # One statement per call (SQLite's driver runs no more), without parameters: the SQL
    # holds no placeholder.
    for statement in statements.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement, params=None)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_BACK, "sqlite": SQLITE_BACK})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_access_and_append_only")]

    operations = [
        # First: on SQLite altering a field rebuilds the table, which drops its triggers.
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=mnr.audit.models.now_to_the_millisecond, editable=False
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
