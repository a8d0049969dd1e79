"""The documents say what the commands print: `docs/generate.py --check`
(in `make check`) reruns every generated block and number and compares,
and a changed digit is caught."""
import re
from pathlib import Path

import pytest

from commands import DOCS_HERE, NOT_DOCS_HERE, ROOT

import generate  # docs/, on pytest.ini's path


@pytest.mark.check
@pytest.mark.skipif(not DOCS_HERE, reason=NOT_DOCS_HERE)
def test_every_generated_block_is_what_a_run_prints(capsys):
    code = generate.main(['--check'])
    assert code == 0, capsys.readouterr().out


def regions(path):
    text = (ROOT / path).read_text(encoding='utf-8')
    return text, {m.group(2): m.group(3)
                  for m in generate.REGION.finditer(text)}


def test_a_changed_digit_is_a_difference_and_a_time_is_not():
    text, found = regions('README.md')
    block = found['compare']
    # A result: the first epoch's scratch loss, one digit changed
    line = next(line for line in block.splitlines()
                if line.startswith('    1 '))
    changed = re.sub(r'\d(?=\s)', lambda m: str((int(m.group()) + 1) % 10),
                     line, count=1)
    assert changed != line
    diffs = generate.differences(text.replace(line, changed),
                                 {'compare': block})
    assert [name for name, _, _ in diffs] == ['compare']
    # A time: one machine's figure, whose digits may move
    timing = next(line for line in block.splitlines()
                  if line.startswith('per epoch'))
    moved = re.sub(r'\d', '7', timing)
    assert generate.differences(text.replace(timing, moved),
                                {'compare': block}) == []


def test_every_region_has_a_generator_and_every_record_exists():
    names = set()
    for path in ('README.md', 'BENCHMARKS.md', 'docs/exercises.md'):
        names |= set(regions(path)[1])
    for name in names - set(generate.GENERATORS):  # a benchmark's record
        record = Path(generate.FIGURES) / f'{name}.txt'
        assert record.read_text(encoding='utf-8').startswith('$ ')
    # The README quotes no output block by hand: each ``` block of output
    # in the lesson is a generated one
    lines = (ROOT / 'README.md').read_text(encoding='utf-8').splitlines()
    opened, inside = 0, None
    for number, line in enumerate(lines, 1):
        opened += line.count('<!-- gen:') - line.count('<!-- /gen -->')
        if line.startswith('```'):
            if inside is None:
                inside = line[3:].strip()  # sh: commands; none: output
                assert inside or opened, f'README.md:{number}: by hand'
            else:
                inside = None


def test_the_chinese_readme_is_linked_chinese_and_quotes_the_same_runs():
    """README.zh-CN.md, for the reader of d2l-zh: linked both ways in the
    first lines, its prose mostly Chinese, and each generated region the
    same as README.md's (which `generate.py --check` reruns)."""
    zh, zh_regions = regions('README.zh-CN.md')
    en, en_regions = regions('README.md')
    assert '(README.zh-CN.md)' in '\n'.join(en.splitlines()[:4])
    assert '(README.md)' in '\n'.join(zh.splitlines()[:4])
    prose = re.sub(r'```.*?```|`[^`]*`|<!--.*?-->|\(.*?\)', '', zh, flags=re.S)
    chinese = len(re.findall(r'[\u4e00-\u9fff]', prose))
    latin = len(re.findall(r'[A-Za-z]', prose))
    assert chinese > 2 * latin, (chinese, latin)
    assert len(zh_regions) >= 5
    for name, text in zh_regions.items():
        assert text == en_regions[name], name
