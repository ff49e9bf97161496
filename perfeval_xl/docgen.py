"""Generate docs/template.md from the schema (``python -m perfeval_xl.docgen``).

A test checks the committed file equals what this writes, so the template, the
reader and the documentation cannot drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from perfeval_xl.core import schema
from perfeval_xl.extensions import SOURCES

KINDS = {"text": "文字", "literal": "文本", "amount": "金额", "number": "数字", "integer": "整数", "years": "年份", "percent": "百分比",
         "date": "日期", "choice": "下拉选择"}


def template_markdown() -> str:
    lines = ["# 评价模板的工作表与列", "",
             "本文件由 `python -m perfeval_xl.docgen` 根据 `perfeval_xl/core/schema.py` 生成，请勿手工修改。", "",
             "“项目信息”表按行填写（A 列项目、B 列内容）；其余每张表第 1 行是填写说明，第 2 行是表头，第 3 行起填数据。"
             "工具按表头文字识别列，列的顺序可以调整。",
             "", "模板的第一张表“使用说明”列出各表各列的说明；“指标体系”之后的“规则写法”表列出每种评分方法的规则参数写法和例子"
             "（由 `perfeval_xl/core/rules/__init__.py` 的 `KINDS` 生成）。“评分录入”的单位简称、指标编码从“单位名单”“指标体系”中下拉选择。", ""]
    info = schema.PROJECT_INFO
    lines += [f"## {info.name}", "", info.help, "", "| 项目 | 类型 | 必填 | 默认 | 说明 |", "| --- | --- | --- | --- | --- |"]
    for f in info.fields:
        default = "" if f.default is None else str(f.default)
        lines.append(f"| {f.label} | {KINDS[f.kind]} | {'是' if f.required else ''} | {default} | {f.help} |")
    for sheet in schema.TABLE_SHEETS:
        lines += ["", f"## {sheet.name}", "", sheet.help + ("" if sheet.optional else "（必需的工作表）"), "",
                  "| 列 | 类型 | 必填 | 说明 |", "| --- | --- | --- | --- |"]
        for c in sheet.columns:
            help_text = c.help + (("；可选：" + "、".join(c.choices)) if c.choices and c.kind == "choice" else "")
            if c.fill_down:
                help_text += "；空白时沿用上一行"
            lines.append(f"| {c.header} | {KINDS[c.kind]} | {'是' if c.required else ''} | {help_text} |")
    lines += ["", "## 取值来源", "", "“指标体系”的“取值来源”列和公式中可用的名称：", "",
              "| 名称 | 参数 | 含义 |", "| --- | --- | --- |"]
    for info_ in SOURCES.values():
        arg = {"": "无", "optional": "可选", "required": "必填"}[info_.arg]
        lines.append(f"| {info_.name} | {arg} | {info_.help} |")
    lines += ["", "“其他数据”表中的名称也可以直接写在取值来源中（等同于 数据(名称)）。",
              "取值来源也可以直接填数值，如 `98%` 或 `130`：这就是自评表中的“实际完成值”，“目标值”列填年度指标值。", ""]
    return "\n".join(lines)


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    target = root / "docs" / "template.md"
    target.write_text(template_markdown(), encoding="utf-8")
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
