"""The runners' words in the reader's language: the GNU gettext catalog
bench/locale/zh/LC_MESSAGES/bench.mo (`make messages` makes it from
bench.po), chosen as gettext chooses, by LANGUAGE, LC_ALL, LC_MESSAGES
and LANG; argparse reads its own words from it too."""
import gettext
from pathlib import Path

gettext.bindtextdomain('bench', Path(__file__).with_name('locale'))
gettext.textdomain('bench')


def _(message, *values):
    """`message` in the reader's language, its fields {0}, {1}... filled
    with `values`."""
    message = gettext.gettext(message)
    return message.format(*values) if values else message


def _n(one, many, n, *values):
    """`one` or `many` by the number `n` ({n}), in the reader's language."""
    return gettext.ngettext(one, many, n).format(*values, n=n)
