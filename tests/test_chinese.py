"""The runners for the d2l-zh reader: under `LANG=zh_CN.UTF-8` every line a
learner reads of compare.sh, sweep.py and `python -m bench` (the report,
the errors, the hints, `--help`) is Chinese, from bench/locale's catalog;
numbers, code, flags, file names and what the script itself printed aside.
The runs go in one process of their own, started with the session
(tests/commands.py), as a reader's runs start in a Chinese locale."""
import re
import subprocess

import pytest

from commands import CHINESE, ROOT, finished

LOCALE = ROOT / 'bench' / 'locale'
# Four English words in a row, once code, paths and flags are set aside
SENTENCE = re.compile(r"[A-Za-z']+(?: [A-Za-z']+){3,}")
BOOKS = ('epoch ', 'w的估计误差', 'b的估计误差', 'features:', 'label:')
TIMED = re.compile(r'[\d.]+ sec training, \d+ epochs \(imports and data '
                   r'generation excluded\)')  # the script's own last line


def english(text):
    """The English sentences in `text`, less the lines the chapter's script
    prints itself: the book's, and its training time."""
    text = re.sub(r'Traceback \(most recent call last\):\n(?: .*\n)*\w+: .*',
                  '', text)  # Python's
    lines = [line for line in TIMED.sub('', text).splitlines()
             if not line.startswith(BOOKS)]
    prose = re.sub(r'`[^`]*`|\S*[/\\.]\S*|--[\w-]+', ' ', '\n'.join(lines))
    return SENTENCE.findall(prose)


@pytest.fixture(scope='module')
def said():
    code, out, err = finished('chinese')
    assert code == 0, err
    return dict(zip((' '.join(argv) for argv in CHINESE), out.split('\0')))


@pytest.mark.check
@pytest.mark.background
@pytest.mark.parametrize('argv', [' '.join(argv) for argv in CHINESE])
def test_a_runner_speaks_chinese_in_a_chinese_locale(said, argv):
    assert said[argv].strip() and not english(said[argv]), said[argv]


@pytest.mark.check
@pytest.mark.background
def test_the_report_and_a_hint_are_chinese(said):
    report = said['compare.py --repeats 1 --equivalence']
    assert '迭代周期' in report and 'scratch' in report
    hint = said['bench HINT --num-epochs 1'].strip().splitlines()[-1]
    assert hint.startswith('linreg_scratch.py: ') and 'hint' not in hint


def test_the_compiled_catalog_is_the_one_written():
    """bench.mo is bench.po compiled (`make messages`), not an older one."""
    try:
        subprocess.run(['msgfmt', '--version'], capture_output=True)
    except FileNotFoundError:
        pytest.skip('no msgfmt here (gettext)')
    po = LOCALE / 'zh' / 'LC_MESSAGES' / 'bench.po'
    fresh = subprocess.run(['msgfmt', '-o', '-', str(po)],
                           capture_output=True, check=True).stdout
    assert fresh == po.with_suffix('.mo').read_bytes()
