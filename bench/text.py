"""The runners' words in the reader's language, from bench/locale's catalog
(`make messages`), as gettext chooses it; argparse's words too."""
import gettext
from pathlib import Path

LOCALE = Path(__file__).with_name('locale')
gettext.bindtextdomain('bench', LOCALE)
gettext.textdomain('bench')
LANGUAGE = gettext.translation('bench', LOCALE, fallback=True).info().get(
    'language', 'en')  # the catalog's: 'zh', or English


def _(message, *values):
    """`message` in the reader's language, {0}, {1}... filled: `values`."""
    message = gettext.gettext(message)
    return message.format(*values) if values else message


def _n(one, many, n, *values):
    """`one` or `many` by the number `n` ({n}), in the reader's language."""
    return gettext.ngettext(one, many, n).format(*values, n=n)
