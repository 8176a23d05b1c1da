"""Key the full-process record: each event gets the digest of its subject row, a key id and an HMAC under a key
kept outside the database (settings.AUDIT_HMAC_KEY). Events written before this migration are sealed with the
current key as far as their hash chain verifies (a broken part stays unsealed and `zhifa audit verify` names it);
their row digest stays empty, so a row is covered from its next event on."""

from django.db import migrations, models


def append_only_again(apps, schema_editor):
    """SQLite rebuilds the table to add or remove a column, which drops its triggers: put them back."""
    from zhifa.core.db import set_event_triggers

    set_event_triggers(True)


def seal_existing(apps, schema_editor):
    from zhifa.core import audit
    from zhifa.core.db import set_event_triggers

    Event = apps.get_model("core", "Event")
    if not Event.objects.exists():
        set_event_triggers(True)
        return
    conn = schema_editor.connection
    kid, _ = audit.current_key()
    updates, prev = [], audit.GENESIS
    for event in Event.objects.order_by("seq").iterator(chunk_size=5000):
        if event.prev_hash != prev or audit.compute_hash(event) != event.hash:
            break
        updates.append((kid, audit.event_mac(kid, event.hash, ""), event.pk))
        prev = event.hash
    set_event_triggers(False)  # the one maintenance write allowed on the record (owner role)
    with conn.cursor() as cur:
        for i in range(0, len(updates), 5000):
            cur.executemany("UPDATE core_event SET key_id = %s, mac = %s WHERE id = %s", updates[i:i + 5000])
    set_event_triggers(True)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_party_identity_documents'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, append_only_again),
        migrations.AddField(
            model_name='event',
            name='key_id',
            field=models.CharField(blank=True, max_length=16, verbose_name='密钥编号'),
        ),
        migrations.AddField(
            model_name='event',
            name='mac',
            field=models.CharField(blank=True, max_length=64, verbose_name='密钥签名'),
        ),
        migrations.AddField(
            model_name='event',
            name='row_digest',
            field=models.CharField(blank=True, max_length=64, verbose_name='对象行摘要'),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
