"""``perfeval report``: score a workbook and write the Word draft of its report.

    perfeval report 工作簿.xlsx [-o 报告.docx] [--force]

Without ``-o`` the draft goes beside the workbook as ``<原名>_报告.docx``.  An existing
draft is never overwritten unless ``--force`` is given (it may hold the evaluator's edits).
The workbook itself is only read.

Exit status (as ``score``): 0 written; 1 written, but the evaluation has error findings (the
draft says so on its first page); 2 the workbook could not be read or is not a valid
template, or the draft could not be written.
"""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
REPORT_SUFFIX = "_报告"


def register_cli(subparsers) -> None:
    report = subparsers.add_parser("report", help="生成 Word 评价报告初稿", description=(
        "读取填好的评价工作簿并评分，生成评价报告的 Word 初稿：评价结论、一级指标得分表、逐项指标分析\n"
        "（分值、得分、得分率、计算过程、扣分原因）、图表，以及各单位评分表和资金、问卷等附件表。\n"
        "所有数字都由工作簿计算得出，与“perfeval score”写出的评分表一致。\n"
        "默认在原文件旁生成“<原名>_报告.docx”；已有同名文件时不覆盖，除非加 --force。原工作簿不会被修改。\n\n"
        "退出状态：0 已生成；1 已生成，但评分有错误项（初稿首页注明）；2 无法读取、不是评价模板或无法写入。"))
    report.add_argument("book", metavar="工作簿", help="评价工作簿（.xlsx / .xlsm）")
    report.add_argument("-o", "--output", metavar="报告", help="报告保存位置（默认：<原名>_报告.docx）")
    report.add_argument("--force", action="store_true", help="报告文件已存在时覆盖")
    report.set_defaults(handler=cmd_report)


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_UNREADABLE


def review_of(source, snapshot):
    """The workbook reviewed as ``perfeval review`` reviews it (报告数据, pasted report tables,
    self-evaluation forms): its evaluation, and its write plan with the 复核意见 sheet only when
    the review found a slip (the draft leaves it out; ``perfeval review --docx`` writes it)."""
    from dataclasses import replace

    from perfeval_xl.core import schema
    from perfeval_xl.review import read_others, review_snapshot

    reviewed = review_snapshot(snapshot, read_others(source, snapshot))
    plan = reviewed.plan
    if not reviewed.result.slips:
        plan = replace(plan, sheets=tuple(s for s in plan.sheets if s.name != schema.OUTPUT_REVIEW))
    return reviewed, plan


def cmd_report(args) -> int:
    from perfeval_xl.core.findings import TemplateError
    from perfeval_xl.core.numbers import fmt_score
    from perfeval_xl.io.atomic import FileLockedError, describe_os_error
    from perfeval_xl.io.targets import TargetError, plan_target, source_path
    from perfeval_xl.io.snapshot import UnreadableFile, read_snapshot

    from .content import build_document
    from .docx_writer import write_docx

    try:
        source = source_path(args.book)
        planned = plan_target(source, args.output, tag=REPORT_SUFFIX, suffix=".docx")
    except TargetError as exc:
        return _fail(str(exc))
    target = planned.path
    if target.exists() and not args.force:
        return _fail(f"“{target}”已存在（可能含有已修改的内容），未覆盖；如要覆盖请加 --force，或用 -o 另选文件名")
    try:
        snapshot = read_snapshot(source)
        reviewed, plan = review_of(source, snapshot)
        if reviewed.evaluation is None:  # forms or pasted tables only: nothing to write a report about
            raise reviewed.not_template
    except TemplateError as exc:
        where = f"{exc.sheet}!{exc.cell}：" if exc.sheet else ""
        return _fail(f"{where}无法生成报告：{exc.message}")
    except UnreadableFile as exc:
        where = f"{exc.sheet}!{exc.cell}：" if getattr(exc, "sheet", "") else ""
        return _fail(f"{where}{exc}")
    except OSError as exc:
        return _fail(describe_os_error(exc))
    except Exception as exc:  # never a traceback for the evaluator; PERFEVAL_DEBUG=1 shows it
        if os.environ.get("PERFEVAL_DEBUG"):
            raise
        from perfeval_xl.io.files import describe_failure

        return _fail(describe_failure(exc, "生成报告"))
    slips = reviewed.result.slips
    document = build_document(reviewed.evaluation, plan, reviewed.scoring_findings)
    try:
        written = write_docx(document, target)
    except FileLockedError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(describe_os_error(exc))
    ev = reviewed.evaluation
    print(f"项目：{ev.book.name}；总分 {fmt_score(ev.total)}，等级“{ev.grade}”")
    for notice in planned.notes + tuple(document.notices):
        print(f"提示：{notice}")
    if slips:
        print(f"提示：复核发现 {len(slips)} 个印出的数字与复算不一致（不写入报告；"
              "用 perfeval review --docx 生成复核意见文档）")
    errors = len(reviewed.scoring_findings.errors)
    if errors:
        print(f"提示：评分有 {errors} 项错误（用 perfeval score 查看“校验结果”），报告中相关得分可能不完整")
    print(f"已写入：{written}")
    return EXIT_FINDINGS if errors else EXIT_OK


REVIEW_DOCX_SUFFIX = "_复核意见"


def write_review_docx(reviewed) -> str:
    """``perfeval review --docx``: the 复核意见 sheet of a review as a Word document beside the
    review workbook (``<原名>_复核意见.docx``); the line to print (written, nothing to write,
    or why it could not be written)."""
    from pathlib import Path

    from perfeval_xl.io.atomic import FileLockedError, describe_os_error
    from perfeval_xl.io.engines import Output

    from .docx_writer import write_plan

    output = Path(reviewed.output)
    stem = output.stem.removesuffix("_复核")
    target = output.with_name(f"{stem}{REVIEW_DOCX_SUFFIX}.docx")
    ev = reviewed.evaluation
    if ev is not None:
        name, author = ev.book.name, str(ev.book.info.get("evaluator") or "")
    else:
        forms = reviewed.result.forms
        name, author = (forms[0].project if forms else stem), ""
    try:
        written = write_plan(reviewed.plan, Output(target, title=name, author=author))
        return f"已写入：{written}" if written else "提示：没有复核意见，未生成复核意见文档"
    except FileLockedError as exc:
        return f"错误：{exc}"
    except OSError as exc:
        return f"错误：{describe_os_error(exc)}"
