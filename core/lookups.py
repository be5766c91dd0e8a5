"""`field__any=[…]`: membership in a long list of values as one parameter.

`field__in` with thousands of ids makes Django prepare each value (a quarter of a million
calls in a country-wide export, which asks for 2,000 ids at a time) and PostgreSQL parse as many
constants. On PostgreSQL this lookup sends the list as one array (`= ANY(%s)`); elsewhere
(SQLite, the quick start) it is an ordinary IN. The values must already be of the field's type
(ids from a query).
"""

from django.db.models import ForeignKey, IntegerField
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any"

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


def register():
    for field in (IntegerField, ForeignKey):
        field.register_lookup(AnyOf)
