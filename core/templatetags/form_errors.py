"""`{% load form_errors %}`: what the error summary needs to know about a form's errors."""

from django import template
from django.core.exceptions import NON_FIELD_ERRORS

from core.ratelimit import RATE_LIMITED

register = template.Library()


@register.filter
def rate_limited(form):
    """The form was refused for sending too often (nothing in it is wrong): the summary says
    "not sent yet", not "there is a problem"."""
    return form.has_error(NON_FIELD_ERRORS, RATE_LIMITED)
