"""The documents say what the commands print, on any CPU: `docs/generate.py
--check` (in `make check`) reruns every generated block, natively and with
torch's plainest kernels, and compares, a number one unit off in its last
digit taken for the same, a time for no result."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench import contract
from commands import DOCS_HERE, ENV, NOT_DOCS_HERE, ROOT

import generate  # docs/, on pytest.ini's path


@pytest.mark.check
@pytest.mark.skipif(not DOCS_HERE, reason=NOT_DOCS_HERE)
def test_every_generated_block_is_what_a_run_prints(capsys):
    code = generate.main(['--check'])
    assert code == 0, capsys.readouterr().out


@pytest.mark.check
@pytest.mark.skipif(not DOCS_HERE, reason=NOT_DOCS_HERE)
def test_every_generated_block_holds_with_other_cpu_kernels():
    """`ATEN_CPU_CAPABILITY=default`: other kernels, other low bits of the
    data (their sha256 differs), the same documents."""
    done = subprocess.run(
        [sys.executable, 'docs/generate.py', '--check'], cwd=ROOT,
        capture_output=True, text=True, timeout=1800,
        env=dict(ENV, ATEN_CPU_CAPABILITY='default'))
    assert done.returncode == 0, done.stdout + done.stderr


ZH = 'LANG=zh_CN.UTF-8 '  # a Chinese page's runs: in Chinese


def regions(path):
    text = (ROOT / path).read_text(encoding='utf-8')
    return text, {m.group(2): m.group(3)
                  for m in generate.REGION.finditer(text)}


def test_a_number_off_by_more_than_its_last_digit_differs_a_time_does_not():
    text, found = regions('README.md')
    block = found['./compare.sh']
    line = next(line for line in block.splitlines()
                if line.startswith('1 '))
    value = line.split()[1]  # 0.039385, say
    for digits, same in (('1', True), ('2', False)):
        moved = f'{float(value) + int(digits) * 1e-6:.6f}'
        assert generate.same(block.replace(line, line.replace(value, moved)),
                             block) is same
    timing = next(line for line in block.splitlines()
                  if line.lstrip().startswith('per epoch, concise takes'))
    assert generate.same(block.replace(timing, re.sub(r'\d', '7', timing)),
                         block)
    assert not generate.same(block.replace('scratch', 'sketch', 1), block)


def test_every_region_is_a_command_a_table_or_a_record():
    for name in generate.DOCS:
        for what in regions(name)[1]:
            record = Path(generate.ROOT, 'docs', 'figures', f'{what}.txt')
            what = what.replace(ZH, '')
            assert what == 'contract' or what.startswith((
                './compare.sh', 'python ')) or record.read_text(
                    encoding='utf-8').startswith('$ '), (name, what)
    # The README quotes no output by hand: each ``` block of output is a
    # generated one
    opened, inside = 0, None
    lines = (ROOT / 'README.md').read_text(encoding='utf-8').splitlines()
    for number, line in enumerate(lines, 1):
        opened += line.count('<!-- gen:') - line.count('<!-- /gen -->')
        if line.startswith('```'):
            if inside is None:
                inside = line[3:].strip()  # sh: commands; none: output
                assert inside or opened, f'README.md:{number}: by hand'
            else:
                inside = None


def test_the_contract_in_the_reference_is_the_modules():
    """docs/reference.md's section on what a watched script must have is
    bench/contract.py's table, word for word."""
    said = regions('docs/reference.md')[1]['contract']
    assert said.strip() == contract.CONTRACT


def test_no_document_holds_the_datas_fingerprint():
    """The sha256 of the data differs from CPU to CPU: a run compares it,
    a document does not hold it."""
    for name in generate.DOCS:
        text = (ROOT / name).read_text(encoding='utf-8')
        assert not re.search(r'sha256 [0-9a-f]{12}', text), name


def test_the_chinese_pages_are_chinese_with_the_english_sections():
    """README.zh-CN.md and docs/exercises.zh-CN.md, for the reader of
    d2l-zh: linked both ways, README.md's sections in its order, prose in
    Chinese (no English sentence outside code), the same runs quoted."""
    for en_name, zh_name in (('README.md', 'README.zh-CN.md'),
                             ('docs/exercises.md', 'docs/exercises.zh-CN.md')):
        en, en_regions = regions(en_name)
        zh, zh_regions = regions(zh_name)
        assert os.path.basename(zh_name) in en.split('\n## ')[0]
        assert os.path.basename(en_name) in zh.split('\n## ')[0]
        heads = [len(re.findall(r'^## ', text, re.M)) for text in (en, zh)]
        assert heads[0] == heads[1], (zh_name, heads)
        assert all(what.startswith(ZH) for what in zh_regions)  # as it reads
        assert {what.replace(ZH, '') for what in zh_regions} == set(
            en_regions)
        prose = re.sub(r'```.*?```|`[^`]*`|<!--.*?-->|\]\(.*?\)|\|.*\|', '',
                       zh, flags=re.S)
        sentences = re.findall(r'[A-Z][a-z]+(?: [a-z]+){3,}[.,;:]', prose)
        assert not sentences, (zh_name, sentences[:3])


def test_every_readme_is_at_most_200_lines_the_lesson_first():
    for name in ('README.md', 'README.zh-CN.md'):
        lines = (ROOT / name).read_text(encoding='utf-8').splitlines()
        assert len(lines) <= 200, (name, len(lines))
        block = next(k for k, line in enumerate(lines)
                     if 'gen:' in line and './compare.sh -->' in line)
        assert block < 40, (name, block)  # the lesson's run, early
