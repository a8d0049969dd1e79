"""compare.sh's and sweep.py's lines in Chinese, for the reader of d2l-zh:
under `--lang zh`, or a Chinese locale (LANG) without `--lang en`.

Each line is written in English and translated as it is printed, in the
book's own terms, by the patterns below (regular expressions); the numbers
are the same digits, and a JSON line stays as it is.
"""
import io
import os
import re

PHRASES = [
    (r'(\d+) examples, (\d+) epochs? of ', r'\1 个样本，\2 个迭代周期，每个 '),
    (r' steps \(batch (\d+)\)', r' 步（批量大小 \1）'),
    ('; same data in both: yes', '；两边数据相同：是'),
    ('; same data in both: NO', '；两边数据相同：否'), (' in both', '，两边相同'),
    ("; flags: none, the book's numbers", '；参数：无，即书中的数值'),
    ('; flags: ', '；参数：'),
    (r'^epoch  ', '迭代周期'), (' loss  ', ' 损失  '),
    ('printed loss / MSE: ', '打印的损失 / 均方误差：'),
    ('; the MSE columns use one definition for both.',
     '；MSE 两列对两边用同一个定义。'),
    ('`squared_loss` keeps a 1/2 that `nn.MSELoss` does not, so at '
     'convergence they settle', '`squared_loss` 带有 1/2，`nn.MSELoss` 没有，'
     '所以收敛时二者分别停在'),
    (r'near (sigma\^2/2 = 5e-05) and (sigma\^2 = 1e-04) \((sigma = 0.01)\)\.',
     r'\1 和 \2 附近（\3）。'),
    (r'diverged at epoch (\d+)', r'在第 \1 个迭代周期发散'),
    ('; the other column is still a result', '；另一列仍是有效的结果'),
    ('the two ran different epochs: a blank is an epoch that one did not run.',
     '两边运行的迭代周期数不同：空白表示那一边没有运行这个周期。'),
    (r'^w error ', 'w 的误差'), (r'^b error ', 'b 的误差'),
    (r'^final MSE', '最终 MSE '),
    ('lstsq: the closed-form least-squares fit on the same data',
     'lstsq：同一份数据上最小二乘的闭式解'),
    ('the lowest MSE any line reaches there. What the scripts print is not '
     'shown here:', '任何直线在这份数据上能达到的最低 MSE。脚本自己打印的内容'
     '这里不显示，'),
    (r' \(with the same flags\) shows it\.', '（用同样的参数）会显示。'),
    (r' \(`torch.linalg.lstsq`\),', '（`torch.linalg.lstsq`），'),
    (r'per epoch, median \(range\)', '每个迭代周期：中位数（范围）'),
    ('of which data loading', '其中读取数据'),
    ('concise/scratch time per epoch: ', 'concise/scratch 每个迭代周期的时间比：'),
    (r' \(median of (\d+) alternating pairs? of one-epoch runs, after a '
     'warm-up pair;', r'（\1 对交替的单周期运行的中位数，先热身一对；'),
    (r'imports and data generation excluded\)', '不含导入和生成数据）'),
    (r'^equivalence: linreg_concise.py again with the 1/2, from one init '
     'over one batch order', '等价性：再运行 linreg_concise.py，损失带上 1/2，'
     '同一组初始参数、同一个小批量顺序'),
    (r"^  \(gap: \|difference\| / max\(1, \|parameter\|\), at each "
     r"epoch's end\):", '  （差距：|差| / max(1, |参数|)，取每个迭代周期结束时）：'),
    (r'with the 1/2 at lr (\S+) vs as written at lr (\S+): max parameter '
     'gap', r'带 1/2、学习率 \1 对比原样、学习率 \2：参数最大差距'),
    ('equivalence: cannot run it', '等价性：无法运行'),
    ('final MSE', '最终 MSE'), ('failed: ', '失败：'), ('# edit: ', '# 改动：'),
    (r'^wrote ', '已写入 '), (': error: ', '：错误：'), (': hint: ', '：提示：'),
    (r'argument (\S+): must be above 0', r'参数 \1 必须大于 0'),
    (r'argument (\S+): must be at least 0', r'参数 \1 不能小于 0'),
    (r'interrupted \(Ctrl-C\)', '已中断（Ctrl-C）'), ('terminated', '已终止'),
    ('out of memory; try a smaller', '内存不足；请减小'),
    (r'is not set up; run `make setup` and use', '尚未安装；请运行 `make setup` '
     '并使用'),
]


def wanted(argv):
    """Whether the command line `argv` asks for Chinese: `--lang zh`, or a
    Chinese LANG without `--lang en`."""
    argv = ' '.join(argv).replace('=', ' ')
    if '--lang zh' in argv or '--lang en' in argv:
        return '--lang zh' in argv
    return os.environ.get('LANG', '').startswith('zh')


def translate(line):
    """`line` in Chinese, phrase by phrase; a JSON line as it is."""
    if line.startswith(('{', '[')):
        return line
    for english, chinese in PHRASES:
        line = re.sub(english, chinese, line)
    return line


class Lines(io.TextIOBase):
    """A stream that writes each whole line of text translated."""

    def __init__(self, stream):
        self.stream, self.held = stream, ''

    def write(self, text):
        *lines, self.held = (self.held + text).split('\n')
        for line in lines:
            self.stream.write(translate(line) + '\n')
        return len(text)

    def flush(self):
        self.stream.flush()

    def fileno(self):
        return self.stream.fileno()


def follow(argv, signals):
    """Where `argv` asks for Chinese (`wanted`): stdout and stderr in
    Chinese from now on, and `signals` (faults.SIGNALS) too, whose lines a
    handler writes straight to the terminal."""
    import sys
    if not wanted(argv):
        return
    sys.stdout, sys.stderr = Lines(sys.stdout), Lines(sys.stderr)
    for sig, (status, line) in list(signals.items()):
        signals[sig] = status, translate(line)
