from django.db import migrations, models


def keep_intake_secrets(apps, schema_editor):
    """Existing cases rate with their current secret, unless it was reissued at a window."""
    Case = apps.get_model("approvals", "Case")
    CaseEvent = apps.get_model("approvals", "CaseEvent")
    reissued = CaseEvent.objects.filter(kind="secret_reissued").values("case_id")
    Case.objects.exclude(pk__in=reissued).update(rating_secret_hash=models.F("query_secret_hash"))


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0006_result_disclosure"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="rating_secret_hash",
            field=models.CharField(blank=True, editable=False, max_length=128),
        ),
        migrations.RunPython(keep_intake_secrets, migrations.RunPython.noop),
    ]
