"""Names Django, DRF and their libraries call by name, for scripts/deadcode (vulture).

Only framework hooks belong here: a name of our own that nothing calls is dead code, not a
whitelist entry.
"""

# Django: models, admin, apps, checks, database routers, lookups, management commands.
Meta
has_add_permission
has_change_permission
has_delete_permission
get_readonly_fields
allowed_permissions
short_description
db_for_write
allow_relation
allow_migrate
get_prep_lookup
as_postgresql
as_sqlite
Command
add_arguments
# Django: forms, URL converters, upload handlers, feeds, sitemaps, urls, wsgi.
empty_label
label_from_instance
renderer  # Widget.render(name, value, attrs, renderer): a widget that writes its own HTML
disabled
prepare_value
to_url
receive_data_chunk
file_complete
process_view
process_exception
process_response
get_object
subtitle
feed_url
feed_copyright
lastmod
app_name
urlpatterns
handler400
handler403
handler404
handler500
# DRF and drf-spectacular (an OpenApiAuthenticationExtension registers itself by subclassing).
base_url
to_representation
authenticate
authenticate_header
has_permission
get_rate
get_cache_key
get_security_definition
ApiKeyScheme
get_page_size
filter_queryset
ApiFilterExtension
# Pillow reads this module global.
MAX_IMAGE_PIXELS
# A function wrapper's identity, read by help() and tracebacks.
__qualname__
__doc__
# Arguments a framework signature requires even where we do not use them.
app_configs
hints
obj1
obj2
app_label
file_size
view_args
view_kwargs
http_method
objtype
signum
frame
credentials
original_response
auto_schema

# Unused, left for the helper that gathers each rule in one place (issue 19 item 2), which owns
# the querysets and predicates of the models modules: delete these entries with the methods.
in_jurisdiction  # DisclosureQuerySet, only a test calls it
order_by_title  # DisclosureQuerySet
is_confirmed  # Confirmation, only a test calls it
descendants  # Place
contains  # Place
is_populated  # Place
# Django: signal receivers' arguments, a router's read hook, sitemaps' address hooks, the
# password reset form's mail hook, a streaming response's body (set to empty for HEAD).
sender
db_for_read
get_domain
get_protocol
send_mail
streaming_content
# The predicate twin of ResidentInputQuerySet.approved() (style.md: a rule about one object sits
# beside its queryset twin).
is_approved
