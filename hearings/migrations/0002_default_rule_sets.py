"""The default rule sets of the legal clock (hearings/migrations/_default_rule_sets.py), and back."""

from django.db import migrations

from hearings.migrations._default_rule_sets import install_default_rule_sets, remove_default_rule_sets


def install(apps, schema_editor):
    install_default_rule_sets(
        apps.get_model("hearings", "RuleSet"), apps.get_model("hearings", "Rule")
    )


def remove(apps, schema_editor):
    remove_default_rule_sets(apps.get_model("hearings", "RuleSet"), apps.get_model("hearings", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
