"""`field__any=[…]`: membership in a long list of values as one parameter; `field__part_of=…`:
membership in the parts of a "/a/b/c/" path.

`field__in` with thousands of ids makes Django prepare each value (a quarter of a million
calls in a country-wide export, which asks for 2,000 ids at a time) and PostgreSQL parse as many
constants. On PostgreSQL this lookup sends the list as one array (`= ANY(%s)`); elsewhere
(SQLite, the quick start) it is an ordinary IN. The values must already be of the field's type
(ids from a query).
"""

from django.db.models import CharField, ForeignKey, IntegerField, Lookup
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any"

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


class PartOf(Lookup):
    """`code__part_of=path`: the value is one of the parts of a "/a/b/c/" path, an expression
    (a place's `path`, read by a subquery: its KATO code and those of the places above it). On
    PostgreSQL `= ANY(string_to_array(…))`, which an index on the field serves; elsewhere (the
    quick start's SQLite) a substring test."""

    lookup_name = "part_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"instr({rhs}, '/' || {lhs} || '/') > 0", (*rhs_params, *lhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(string_to_array({rhs}, '/'))", (*lhs_params, *rhs_params)


def register():
    for field in (IntegerField, ForeignKey):
        field.register_lookup(AnyOf)
    CharField.register_lookup(PartOf)
