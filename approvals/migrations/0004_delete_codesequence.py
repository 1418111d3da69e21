# The daily case-code counters move to the kernel's numbering service (portal.numbering).

from django.db import migrations


def copy_counters(apps, schema_editor):
    CodeSequence = apps.get_model("approvals", "CodeSequence")
    NumberSeries = apps.get_model("portal", "NumberSeries")
    NumberSeries.objects.bulk_create(
        [NumberSeries(series=f"case:{s.prefix}{s.day:%Y%m%d}", last=s.last) for s in CodeSequence.objects.all()],
        ignore_conflicts=True,
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0003_case_updated_index'),
        ('portal', '0002_numberseries_outboxmessage'),
    ]

    operations = [
        migrations.RunPython(copy_counters, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='CodeSequence',
        ),
    ]
