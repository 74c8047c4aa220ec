"""Access events (kind, address, the actor's name kept) and the append-only log: the actor is
no longer a constraint that a user's removal would rewrite, and triggers refuse changes.

Triggers (``docs/audit.md``): PostgreSQL refuses UPDATE and DELETE of a row; SQLite refuses
UPDATE only, because Django's flush (between transactional tests) empties SQLite tables with
DELETE FROM. Neither refuses INSERT (a restore loads rows) nor TRUNCATE (PostgreSQL's flush)."""

import django.db.models.deletion
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.conf import settings
from django.db import migrations, models


POSTGRESQL_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % of audit_auditevent refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: UPDATE of audit_auditevent refused');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"


def keep_actor_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    # The database being migrated, which is not always the default one (mnr restore).
    db = schema_editor.connection.alias
    names = dict(User.objects.using(db).values_list("pk", "username"))
    events = AuditEvent.objects.using(db)
    for event in events.filter(actor__isnull=False).only("pk", "actor_id"):
        events.filter(pk=event.pk).update(actor_username=names.get(event.actor_id, ""))


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, str]) -> None:
    sql = statements.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)  # the SQL holds a literal %


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_TRIGGER, "sqlite": SQLITE_TRIGGER})


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='actor_username',
            field=models.CharField(blank=True, db_index=True, max_length=150),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='address',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('change', 'change'), ('access', 'access')], db_index=True, default='change', max_length=10),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(keep_actor_names, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
