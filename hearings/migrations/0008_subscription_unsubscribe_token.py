# A separate secret for unsubscribing, so that the confirmation link can be single-use.

from django.db import migrations, models

import hearings.models


def fill_unsubscribe_tokens(apps, schema_editor):
    Subscription = apps.get_model("hearings", "Subscription")
    for subscription in Subscription.objects.filter(unsubscribe_token__isnull=True).iterator():
        subscription.unsubscribe_token = hearings.models.new_token()
        subscription.save(update_fields=["unsubscribe_token"])


class Migration(migrations.Migration):

    dependencies = [
        ("hearings", "0007_change_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="unsubscribe_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_unsubscribe_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="unsubscribe_token",
            field=models.CharField(
                default=hearings.models.new_token, editable=False, max_length=64, unique=True
            ),
        ),
    ]
