"""perfeval-xl：项目支出绩效评价的 Excel 工具。

核心层 (:mod:`perfeval_xl.core`) 不依赖任何 Excel 库；文件适配层
(:mod:`perfeval_xl.io`) 用 openpyxl / python-calamine 读写文件。
"""

__version__ = "0.1.0"


def main() -> None:
    """Ribbon entry point: score the workbook that called us (see perfeval_xl.excel)."""
    from perfeval_xl.excel import main as _excel_main

    _excel_main()
