"""Django's own messages that our pages show, marked here so our catalogues keep them.

Django ships Russian for all of these, but its Kazakh catalogue lacks the password rules, the
sign-in error and the password forms' errors, and spells "құпия сөз" in two words. Our
`LOCALE_PATHS` catalogue is read before Django's, so an entry here (translated in
`locale/kk`, and in `locale/ru` where we word it differently) wins. `makemessages` finds these
calls and `--no-obsolete` keeps the entries; `tests/projects/test_django_messages.py` renders the
sign-in error and a password rule in Kazakh and finds no English. The msgids must stay exactly
as Django writes them (curly apostrophes included). This module is never imported.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django.contrib.auth.forms
gettext_noop(
    "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
)
gettext_noop("This account is inactive.")
gettext_noop("The two password fields didn’t match.")
gettext_noop("Enter the same password as before, for verification.")
gettext_noop("Your old password was entered incorrectly. Please enter it again.")
gettext_noop("Password")
gettext_noop("Password confirmation")
gettext_noop("New password")
gettext_noop("New password confirmation")
gettext_noop("Old password")
gettext_noop("Email")
gettext_noop("Conflicting form data submitted. Please try again.")

# django.contrib.auth.password_validation: errors and the help shown under the field
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
)
ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
)
gettext_noop("The password is too similar to the %(verbose_name)s.")
gettext_noop("Your password can’t be too similar to your other personal information.")
gettext_noop("This password is too common.")
gettext_noop("Your password can’t be a commonly used password.")
gettext_noop("This password is entirely numeric.")
gettext_noop("Your password can’t be entirely numeric.")
# the user attributes a password may resemble (UserAttributeSimilarityValidator)
gettext_noop("username")
gettext_noop("email address")
gettext_noop("first name")
gettext_noop("last name")

# django.contrib.auth.views: page titles
gettext_noop("Password reset sent")
gettext_noop("Enter new password")
gettext_noop("Password reset unsuccessful")
gettext_noop("Password reset complete")
gettext_noop("Password change successful")
gettext_noop("Password reset")
gettext_noop("Password change")
gettext_noop("Logged out")

# django.core.validators and form fields our forms can show
gettext_noop("Null characters are not allowed.")
gettext_noop(
    "File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."
)
gettext_noop("Ensure this value is a multiple of step size %(limit_value)s.")
ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
)
ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit in total.",
    "Ensure that there are no more than %(max)s digits in total.",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s decimal place.",
    "Ensure that there are no more than %(max)s decimal places.",
)
ngettext_lazy(
    "Ensure that there are no more than %(max)s digit before the decimal point.",
    "Ensure that there are no more than %(max)s digits before the decimal point.",
)
ngettext_lazy(
    "Ensure this filename has at most %(max)d character (it has %(length)d).",
    "Ensure this filename has at most %(max)d characters (it has %(length)d).",
)

# django.forms: required fields and choices (Django's Kazakh says "Бұл мән міндетті." and
# misspells "таңдау"), and the year filter's limits
gettext_noop("This field is required.")
gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
gettext_noop("Select a valid choice. That choice is not one of the available choices.")
gettext_noop("Ensure this value is less than or equal to %(limit_value)s.")
gettext_noop("Ensure this value is greater than or equal to %(limit_value)s.")
