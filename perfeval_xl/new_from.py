"""``perfeval new --from 目标表.xlsx [--sheet 工作表]``: a new evaluation template whose 指标体系 and
目标值 come from a 绩效目标申报表 (:mod:`perfeval_xl.targetforms.template`).  The source is read as
``review`` reads a workbook (numbers as shown) and never changed; the template is written atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfeval_xl.core.findings import TemplateError


@dataclass(frozen=True)
class NewFrom:
    output: Path
    sheet: str
    indicators: int
    notes: tuple[str, ...]


def new_from_targets(source: str | Path, output: str | Path, sheet: str | None = None) -> NewFrom:
    from perfeval_xl.io.targets import source_path
    from perfeval_xl.io.template import write_workbook
    from perfeval_xl.review import read_for_review
    from perfeval_xl.targetforms import find_target_forms
    from perfeval_xl.targetforms.template import template_from_form

    source = source_path(source)
    if Path(output).exists() and Path(output).resolve() == source.resolve():
        raise TemplateError("", "", f"模板不能写到目标表“{source.name}”本身（原文件不会被修改）；请用 -o 另选文件名")
    snapshot, others = read_for_review(source)
    forms = find_target_forms(others)
    if not forms:
        raise TemplateError("", "", f"“{source.name}”中没有找到绩效目标申报表（应有项目名称，以及含三级指标、指标值或目标值"
                                    "列的指标表）")
    sheets = list(dict.fromkeys(f.sheet for f in forms))
    if sheet is not None:
        chosen = [f for f in forms if f.sheet == sheet]
        if not chosen:
            raise TemplateError(sheet, "", f"工作表“{sheet}”上没有绩效目标申报表；有目标表的工作表：{'、'.join(sheets)}")
    elif len(forms) > 1:
        raise TemplateError("", "", f"“{source.name}”中有 {len(forms)} 张绩效目标申报表（工作表：{'、'.join(sheets)}），"
                                    "请用 --sheet 指定从哪一张生成")
    else:
        chosen = forms
    if len(chosen) > 1:
        raise TemplateError(chosen[0].sheet, "", f"工作表“{chosen[0].sheet}”上有 {len(chosen)} 张绩效目标申报表，"
                                                 "请把要用的那张复制到单独的工作表后再用 --sheet 指定")
    form = chosen[0]
    info, tables, notes = template_from_form(form)
    written = write_workbook(output, info, tables)
    return NewFrom(written, form.sheet, len(next(iter(tables.values()))), tuple(notes))
