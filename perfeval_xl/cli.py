"""The ``perfeval`` command line (Chinese help and messages).

    perfeval new [-o 模板.xlsx]
    perfeval score 工作簿.xlsx [-o 输出.xlsx] [--in-place] [--json]
    perfeval review 工作簿.xlsx [-o 输出.xlsx] [--json]

Exit status of ``score``: 0 scored; 1 scored with error findings; 2 the workbook
could not be read or is not a valid template.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import AbstractSet

from perfeval_xl import __version__

from perfeval_xl.core.findings import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE  # noqa: F401  (re-exported)


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse builds a subcommand's prog with prefix="" — keep that one empty
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}：错误：{translate_argparse(message)}", file=sys.stderr)
        sys.exit(EXIT_UNREADABLE)


#: argparse's English messages (Python 3.10–3.13 wordings) → Chinese; the first match wins
_ARGPARSE_MESSAGES = [
    (r"argument (?P<a>[^:]+): invalid choice: '?(?P<v>.*?)'? \(choose from (?P<c>.*)\)",
     lambda m: f"“{m['v']}”不是可用的{'命令' if m['a'] == '命令' else m['a'] + ' 的值'}；可选：{_choices(m['c'])}"),
    (r"argument (?P<a>[^:]+): expected one argument", lambda m: f"选项 {m['a']} 后面需要一个值"),
    (r"argument (?P<a>[^:]+): expected at most one argument", lambda m: f"选项 {m['a']} 最多只能有一个值"),
    (r"argument (?P<a>[^:]+): expected at least one argument", lambda m: f"选项 {m['a']} 至少需要一个值"),
    (r"argument (?P<a>[^:]+): not allowed with argument (?P<b>.+)", lambda m: f"{m['a']} 不能与 {m['b']} 同时使用"),
    (r"argument (?P<a>[^:]+): ignored explicit argument (?P<v>.+)", lambda m: f"选项 {m['a']} 不接受值 {m['v']}"),
    (r"argument (?P<a>[^:]+): invalid \w+ value: (?P<v>.+)", lambda m: f"选项 {m['a']} 的值 {m['v']} 无效"),
    (r"the following arguments are required: (?P<a>.+)", lambda m: f"缺少必需的参数：{m['a']}"),
    (r"unrecognized arguments: (?P<a>.+)", lambda m: f"无法识别的参数：{m['a']}"),
    (r"ambiguous option: (?P<a>\S+) could match (?P<b>.+)", lambda m: f"选项 {m['a']} 有歧义，可能是：{m['b']}"),
    (r"argument (?P<a>[^:]+): (?P<rest>.+)", lambda m: f"参数 {m['a']}：{m['rest']}"),
]


def _choices(listed: str) -> str:
    return "、".join(part.strip(" '") for part in listed.split(","))


def translate_argparse(message: str) -> str:
    import re

    for pattern, render in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message.strip())
        if match:
            return render(match)
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="perfeval", description="项目支出绩效评价：生成模板、评分并写回评分表和附表。")
    parser.add_argument("--version", action="version", version=f"perfeval-xl {__version__}", help="显示版本号")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=Parser)

    new = sub.add_parser("new", help="生成空白评价模板", description="生成空白的绩效评价模板工作簿。")
    new.add_argument("-o", "--output", metavar="路径", default="绩效评价模板.xlsx", help="模板保存位置（默认：绩效评价模板.xlsx）")
    new.add_argument("--force", action="store_true", help="目标文件已存在时覆盖")
    new.add_argument("--from", dest="source", metavar="目标表.xlsx",
                     help="从绩效目标申报表生成：指标体系的一级、二级、三级指标、目标值和指标解释取自目标表（分值、评分方法留空待填）")
    new.add_argument("--sheet", metavar="工作表", help="与 --from 同用：工作簿中有多张目标表时，指定用哪一张")

    score = sub.add_parser("score", help="为工作簿评分", description=(
        "读取填好的评价工作簿，计算各指标得分，写出得分汇总、评分表、附表和校验结果。\n"
        "默认在原文件旁生成“<原名>_评分.xlsx”，原文件不会被修改。\n\n"
        "退出状态：0 评分完成；1 评分完成但有错误项（见“校验结果”）；2 无法读取或不是评价模板。"))
    score.add_argument("book", metavar="工作簿", help="要评分的 .xlsx / .xlsm 文件")
    score.add_argument("-o", "--output", metavar="输出", help="评分结果保存位置（默认：<原名>_评分.xlsx）")
    score.add_argument("--in-place", action="store_true", help="直接写回原文件（先在旁边保存一份备份）")
    score.add_argument("--json", action="store_true", help="在标准输出打印 JSON 摘要（不打印表格）")

    review = sub.add_parser("review", help="复核：把报告印出的数字与复算结果逐一核对", description=(
        "复算工作簿并核对报告印出的每个数字：“报告数据”表中的得分、指标值、总分和等级，粘贴在其他工作表中的\n"
        "报告表格（合计、平均、占比和比率），以及绩效自评表。不一致的列入“复核意见”工作表，写明单元格和算式。\n"
        "默认在原文件旁生成“<原名>_复核.xlsx”，原文件不会被修改。规则见 docs/review.md。\n"
        "工作簿中的绩效目标申报表按 docs/forms.md 的规则逐条审核，问题（单元格、规则和条款）也列入“复核意见”。\n\n"
        "退出状态：0 没有差错也没有错误；1 有差错或错误；2 无法读取，或既不是评价模板、也没有自评表或报告表格。"))
    review.add_argument("book", metavar="工作簿", help="要复核的 .xlsx / .xlsm 文件")
    review.add_argument("-o", "--output", metavar="输出", help="复核结果保存位置（默认：<原名>_复核.xlsx）")
    review.add_argument("--json", action="store_true", help="在标准输出打印 JSON 摘要（不打印表格）")
    review.add_argument("--docx", action="store_true",
                        help="另把复核意见写成 Word 文档“<原名>_复核意见.docx”（报告初稿不含复核意见）")

    batch = sub.add_parser("batch", help="批量评分或复核一批工作簿", description=(
        "对给出的文件和文件夹（含子文件夹）中的每个 .xlsx / .xlsm 逐个评分或复核，一个文件出错不影响其余文件；\n"
        "其他文件也列入汇总（格式不支持、无法读取）。每个文件的结果一到就存入数据库，再次运行时沿用内容未变的文件的结果。\n"
        "结果写入“汇总.xlsx”：“汇总”表每份评价或自评表一行，“问题清单”表列出每条差错和错误及其文件、工作表和单元格。\n\n"
        "退出状态：0 全部通过；1 有文件存在差错、错误、未核对、重复提交或无法读取；2 参数有误或汇总无法写出。"))
    batch.add_argument("paths", metavar="路径", nargs="+", help="工作簿文件或文件夹")
    batch.add_argument("-o", "--output", metavar="汇总", default="汇总.xlsx", help="汇总表保存位置（默认：当前文件夹的 汇总.xlsx）")
    batch.add_argument("--jobs", metavar="N", default=None, help="同时处理的进程数（默认：本机处理器核数，且不超过文件数）")
    batch.add_argument("--json", action="store_true", help="在标准输出打印 JSON（不显示进度）")
    batch.add_argument("--write-copies", action="store_true", help="同时在每个文件旁写出复核结果副本（<原名>_复核.xlsx，含评分表和复核意见）")
    batch.add_argument("--db", metavar="数据库", default=None, help="结果数据库（SQLite）位置（默认：汇总表旁的 <汇总>.sqlite）")
    batch.add_argument("--fresh", action="store_true", help="不沿用数据库中已有的结果，全部重新处理")
    _register_extra_commands(sub)
    return parser


def _register_extra_commands(sub) -> None:
    """Commands that live in their own modules (add-in, questionnaire import, Word report); an error there
    fails loudly."""
    from perfeval_xl import addin
    from perfeval_xl.survey import cli as survey_cli
    from perfeval_xl.web import cli as web_cli
    from perfeval_xl.wordreport import cli as report_cli

    for module in (addin, survey_cli, report_cli, web_cli):
        module.register_cli(sub)


def pad(text: str, width: int, right: bool = False) -> str:
    from perfeval_xl.core.writeplan import display_width

    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def format_table(headers: list[str], rows: list[list[str]], right: AbstractSet[int] = frozenset()) -> str:
    from perfeval_xl.core.writeplan import display_width

    widths = [max(display_width(str(x)) for x in col) for col in zip(headers, *rows)]
    line = "  ".join("─" * w for w in widths)
    out = ["  ".join(pad(h, w, i in right) for i, (h, w) in enumerate(zip(headers, widths))), line]
    out += ["  ".join(pad(str(c), w, i in right) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(out)


def print_summary(scored, stream=None) -> None:
    from perfeval_xl.core.numbers import fmt_score

    stream = stream or sys.stdout
    ev = scored.evaluation
    print(f"项目：{ev.book.name}（{ev.book.shape}）", file=stream)
    rows = [[u.full_name, fmt_score(u.total), u.grade] for u in ev.units]
    if not ev.whole:
        rows.append([f"项目得分（{ev.book.info.get('aggregation')}）", fmt_score(ev.total), ev.grade])
    print(format_table(["单位", "总分", "等级"], rows, right={1}), file=stream)
    findings = list(scored.findings)
    errors = [f for f in findings if f.severity == "error"]
    print(f"校验：错误 {len(errors)} 项，提示 {len(findings) - len(errors)} 项", file=stream)
    for f in findings[:10]:
        level = f.level
        print(f"  [{level}] {f.sheet}!{f.cell}：{f.message}", file=stream)
    if len(findings) > 10:
        print(f"  ……其余 {len(findings) - 10} 项见“校验结果”工作表", file=stream)
    print_written(scored, stream)


def print_written(result, stream) -> None:
    """The closing lines of score and review: the file written, the backup kept, the notes."""
    if result.output:
        print(f"已写入：{result.output}", file=stream)
    if result.backup:
        print(f"原文件已备份为：{result.backup}", file=stream)
    for note in result.notes:
        print(f"注意：{note}", file=stream)


def cmd_new(args) -> int:
    from perfeval_xl.io.template import write_template

    path = Path(args.output)
    if path.exists() and not args.force:
        print(f"错误：“{path}”已存在；如要覆盖请加 --force", file=sys.stderr)
        return EXIT_UNREADABLE
    if getattr(args, "source", None):  # perfeval new --from 目标表.xlsx (issue 18 item 4)
        from perfeval_xl.new_from import new_from_targets

        made, failed = _guarded(args, "生成模板", lambda: new_from_targets(args.source, path, args.sheet))
        if made is None:
            return failed
        print(f"已生成模板：{made.output}（指标体系 {made.indicators} 个指标取自目标表“{made.sheet}”）")
        for note in made.notes:
            print(f"注意：{note}")
        return EXIT_OK
    write_template(path)
    print(f"已生成模板：{path}")
    return EXIT_OK


def cmd_score(args) -> int:
    from perfeval_xl.gcpause import gc_paused

    with gc_paused():  # from the command's imports on: thousands of objects, none of them garbage (see gcpause)
        return _score(args)


def _score(args) -> int:
    from perfeval_xl.core.summary import summary
    from perfeval_xl.pipeline import score_file

    scored, failed = _guarded(args, "评分", lambda: score_file(args.book, args.output, in_place=args.in_place))
    if scored is None:
        return failed
    if args.json:
        import json  # (only for --json: a score without it never loads the module)

        json.dump(summary(scored.evaluation, scored.findings), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        for note in scored.notes:
            print(f"注意：{note}", file=sys.stderr)
    else:
        print_summary(scored)
    return _done(args, EXIT_FINDINGS if scored.findings.errors else EXIT_OK)  # (``scored`` still held: see _done)


def print_review(reviewed, stream=None) -> None:
    from dataclasses import replace

    stream = stream or sys.stdout
    if reviewed.evaluation is not None:
        # the scoring's findings (the review's own are counted below, in 复核意见); the file is named last
        print_summary(replace(reviewed, findings=reviewed.scoring_findings, output=None, notes=()), stream)
    elif reviewed.evaluation_error is not None:
        error = reviewed.evaluation_error
        print(f"评价无法评分，评分和“报告数据”均未核对（{error.sheet}!{error.cell}：{reviewed.not_template.message}），"
              "只复核了自评表和报告表格", file=stream)
    else:
        reason = reviewed.not_template.message if reviewed.not_template else ""
        print(f"不是评价模板（{reason}），只复核自评表和报告表格", file=stream)
    result = reviewed.result
    if result.targets:  # 绩效目标申报表 (perfeval_xl.targetforms)
        print(f"绩效目标申报表 {len(result.targets)} 张：" + "；".join(
            f"{t.sheet} 错误 {t.errors} 项、提示 {t.warnings} 项" for t in result.targets[:10])
            + ("……" if len(result.targets) > 10 else ""), file=stream)
    print(f"复核：核对报告印出的数字 {result.checked} 个，一致 {result.agreed} 个，差错 {len(result.slips)} 个"
          + (f"；{len(result.unchecked)} 处表格区域未能核对" if result.unchecked else ""), file=stream)
    for slip in result.slips[:10]:
        what = f"{slip.unit} {slip.object}" if slip.unit and not slip.object.startswith(slip.unit) else slip.object
        print(f"  [差错] {slip.sheet}!{slip.cell}：{what} 报告 {slip.printed}，复算 {slip.expected}（{slip.message}）",
              file=stream)
    if len(result.slips) > 10:
        print(f"  ……其余 {len(result.slips) - 10} 个差错见“复核意见”工作表", file=stream)
    if reviewed.evaluation is None:
        errors = [f for f in result.findings if f.severity == "error"]
        print(f"错误 {len(errors)} 项，提示 {len(result.findings) - len(errors)} 项（见“复核意见”）", file=stream)
    print_written(reviewed, stream)


def cmd_review(args) -> int:
    from perfeval_xl.gcpause import gc_paused

    with gc_paused():  # (as cmd_score)
        return _review(args)


def _review(args) -> int:
    from perfeval_xl.review import review_file, review_json

    reviewed, failed = _guarded(args, "复核", lambda: review_file(args.book, args.output))
    if reviewed is None:
        return failed
    if args.json:
        import json

        json.dump(review_json(reviewed), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        for note in reviewed.notes:
            print(f"注意：{note}", file=sys.stderr)
    else:
        print_review(reviewed)
    if getattr(args, "docx", False):
        from perfeval_xl.wordreport.cli import write_review_docx

        print(write_review_docx(reviewed), file=sys.stderr if args.json else sys.stdout)
    return _done(args, EXIT_FINDINGS if reviewed.failed else EXIT_OK)  # (``reviewed`` still held: see _done)


def cmd_batch(args) -> int:
    from perfeval_xl.batch import command

    return _done(args, command(args))  # (its workers are joined and its store closed by then)


def _guarded(args, verb: str, action):
    """Run a command's work; every failure becomes a Chinese message naming sheet and cell
    (exit status 2), never a traceback (PERFEVAL_DEBUG=1 shows it).  Returns (result, None)
    or (None, exit status)."""
    from perfeval_xl.core.findings import TemplateError
    from perfeval_xl.io.atomic import FileLockedError, describe_os_error
    from perfeval_xl.io.snapshot import UnreadableFile
    from perfeval_xl.io.targets import TargetError
    from perfeval_xl.io.xlsx_splice import SpliceError

    try:
        return action(), None
    except TemplateError as exc:
        return None, _fail(args, exc.sheet, exc.cell, f"无法{verb}：{exc.message}")
    except (UnreadableFile, FileLockedError, TargetError) as exc:
        return None, _fail(args, getattr(exc, "sheet", ""), getattr(exc, "cell", ""), str(exc))
    except SpliceError as exc:
        from perfeval_xl.io.files import display_name

        return None, _fail(args, "", "", f"“{display_name(args.book)}”：{exc}；请在 Excel 或 WPS 中打开并另存后再试")
    except OSError as exc:
        return None, _fail(args, "", "", describe_os_error(exc))
    except Exception as exc:
        if os.environ.get("PERFEVAL_DEBUG") and not isinstance(exc, MemoryError):
            raise
        from perfeval_xl.io.files import describe_failure

        return None, _fail(args, "", "", describe_failure(exc, verb))


def _fail(args, sheet: str, cell: str, message: str) -> int:
    where = f"{sheet}!{cell}：" if sheet and cell else ""  # a sheet without a cell is named in the message
    print(f"错误：{where}{message}", file=sys.stderr)
    if getattr(args, "json", False):
        import json

        json.dump({"project": "", "total": None, "grade": "", "units": [],
                   "findings": [{"severity": "error", "sheet": sheet, "cell": cell, "message": message}]},
                  sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    return EXIT_UNREADABLE


#: exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it)
EXIT_INTERRUPTED = 130


def _escape_undecodable(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler of the output streams: a file name's bytes that are not UTF-8 (lone
    surrogates U+DC80–U+DCFF, all UTF-8 cannot encode) are printed as \\xNN, as everywhere else."""
    from perfeval_xl.core.normalize import xml_safe

    if not isinstance(exc, (UnicodeEncodeError, UnicodeTranslateError)):
        raise exc  # (registered for the output streams: encoding errors only)
    return xml_safe(exc.object[exc.start:exc.end]), exc.end


def run_command(run, args, verb: str = "完成") -> int:
    """Every command runs inside this boundary: Ctrl-C is one Chinese line and exit 130 (outputs are
    written atomically: nothing partial is left), any other failure a Chinese message and exit 2;
    PERFEVAL_DEBUG=1 lets an unexpected exception through with its traceback."""
    try:
        return run(args)
    except KeyboardInterrupt:
        print("已中断：命令未完成，没有写出任何文件（原文件未被修改）", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (| head): nothing to tell
        return EXIT_UNREADABLE
    except Exception as exc:
        if os.environ.get("PERFEVAL_DEBUG") and not isinstance(exc, MemoryError):
            raise
        from perfeval_xl.io.files import describe_failure

        print(f"错误：{describe_failure(exc, verb)}", file=sys.stderr)
        return EXIT_UNREADABLE


#: the attribute of the parsed arguments that :func:`console_main` sets (see :func:`_done`)
_END_AT_ONCE = "end_process_at_once"


def _done(args, status: int) -> int:
    """The last step of a command once its every output is written (renamed into place) and printed.

    Run from the console script (:func:`console_main`), the process ends here, at once, with
    ``status`` (``os._exit``), while the command's result is still held: the interpreter would
    otherwise free it object by object (a 100,000-row 支出明细 leaves over a million objects, about a
    twentieth of the run's CPU) and then tear itself down, for a process that is ending anyway (a
    batch's parent: every module its workers needed, collected once more).  Both
    output streams are flushed first; when that fails (the reader of stdout went away) the command
    returns as usual and the usual way out reports it.  Called any other way (tests, the web page,
    :func:`main` from Python), it only returns ``status``."""
    if getattr(args, _END_AT_ONCE, False):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            return status
        os._exit(status)
    return status


def console_main() -> int:
    """The ``perfeval`` console script (and ``python -m perfeval_xl.cli``): :func:`main`, with leave for
    ``score``, ``review`` and ``batch`` to end the process as soon as everything is written (:func:`_done`)."""
    return main(_end_at_once=True)


def main(argv: list[str] | None = None, *, _end_at_once: bool = False) -> int:
    # openpyxl serialises with lxml where it is installed, and without it in the browser (Pyodide): the
    # same XML everywhere, so that `perfeval new` writes the same bytes on every machine (read when
    # openpyxl is first imported, which happens below this line)
    os.environ.setdefault("OPENPYXL_LXML", "False")
    import codecs

    codecs.register_error("perfeval.escape", _escape_undecodable)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="perfeval.escape")  # type: ignore[union-attr]  # a TextIOWrapper, or AttributeError below
        except (AttributeError, ValueError):
            pass
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return EXIT_INTERRUPTED
    setattr(args, _END_AT_ONCE, _end_at_once)
    return run_command(lambda a: _dispatch(parser, a), args, _VERBS.get(args.command, "完成"))


_VERBS = {"score": "评分", "review": "复核", "batch": "批量复核", "report": "生成报告", "survey": "导入问卷", "new": "生成模板"}


def _dispatch(parser, args) -> int:
    if args.command is None:
        parser.print_help()
        return EXIT_UNREADABLE
    if args.command == "new":
        return cmd_new(args)
    if args.command == "score":
        return cmd_score(args)
    if args.command == "batch":
        return cmd_batch(args)
    if args.command == "review":
        return cmd_review(args)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    parser.print_help()  # pragma: no cover
    return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console_main())
