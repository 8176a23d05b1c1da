# Each jurisdiction links its own subjects to a shared downloaded record (ExchangeLink), instead of the first
# importer owning the record and its links (the other county's driver was never counted).

import django.db.models.deletion
from django.db import migrations, models


def links_from_records(apps, schema_editor):
    """The first importer's reading of each downloaded record becomes its link."""
    ExchangeRecord = apps.get_model("overload", "ExchangeRecord")
    ExchangeLink = apps.get_model("overload", "ExchangeLink")
    fields = ("pk", "organisation_id", "vehicle_id", "driver_id", "company_id", "source_unit_id")
    rows = ExchangeRecord.objects.filter(organisation__isnull=False).values_list(*fields).iterator()
    batch = []
    for pk, organisation, vehicle, driver, company, source_unit in rows:
        batch.append(ExchangeLink(record_id=pk, organisation_id=organisation, vehicle_id=vehicle, driver_id=driver,
                                  company_id=company, source_unit_id=source_unit))
        if len(batch) == 1000:
            ExchangeLink.objects.bulk_create(batch)
            batch = []
    ExchangeLink.objects.bulk_create(batch)


def records_from_links(apps, schema_editor):
    """Backwards: the record takes its first link (the others are lost, as before this migration)."""
    ExchangeRecord = apps.get_model("overload", "ExchangeRecord")
    ExchangeLink = apps.get_model("overload", "ExchangeLink")
    seen = set()
    for link in ExchangeLink.objects.order_by("pk").iterator():
        if link.record_id in seen:
            continue
        seen.add(link.record_id)
        ExchangeRecord.objects.filter(pk=link.record_id).update(
            organisation_id=link.organisation_id, vehicle_id=link.vehicle_id, driver_id=link.driver_id,
            company_id=link.company_id, source_unit_id=link.source_unit_id)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_number_counter'),
        ('overload', '0008_exchange_network_links'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExchangeLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('linked_at', models.DateTimeField(auto_now=True, verbose_name='关联时间')),
                ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.transportcompany', verbose_name='运输企业')),
                ('driver', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.driver', verbose_name='驾驶员')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation', verbose_name='导入单位')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='overload.exchangerecord', verbose_name='交换记录')),
                ('source_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.sourceunit', verbose_name='货运源头单位')),
                ('vehicle', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.vehicle', verbose_name='车辆')),
            ],
            options={
                'verbose_name': '四级联网交换记录关联',
                'verbose_name_plural': '四级联网交换记录关联',
                'constraints': [models.UniqueConstraint(fields=('record', 'organisation'), name='overload_exchange_link_unit')],
            },
        ),
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(links_from_records, records_from_links, elidable=True),
        migrations.RemoveField(model_name='exchangerecord', name='company'),
        migrations.RemoveField(model_name='exchangerecord', name='driver'),
        migrations.RemoveField(model_name='exchangerecord', name='organisation'),
        migrations.RemoveField(model_name='exchangerecord', name='source_unit'),
        migrations.RemoveField(model_name='exchangerecord', name='vehicle'),
    ]
