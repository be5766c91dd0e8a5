"""The default rule sets of the legal clock (hearings/legal_rules.py), and back."""

from django.db import migrations


def install(apps, schema_editor):
    from hearings.legal_rules import install_default_rule_sets

    install_default_rule_sets(
        apps.get_model("hearings", "RuleSet"), apps.get_model("hearings", "Rule")
    )


def remove(apps, schema_editor):
    from hearings.legal_rules import remove_default_rule_sets

    remove_default_rule_sets(apps.get_model("hearings", "RuleSet"), apps.get_model("hearings", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
