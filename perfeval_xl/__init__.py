"""perfeval-xl：项目支出绩效评价的 Excel 工具。

核心层 (:mod:`perfeval_xl.core`) 不依赖任何 Excel 库；文件适配层
(:mod:`perfeval_xl.io`) 用 openpyxl / python-calamine 读写文件。
"""

__version__ = "0.1.0"


def main() -> None:
    """Ribbon entry point: score the workbook that called us (see perfeval_xl.excel)."""
    from perfeval_xl.excel import main as _excel_main

    _excel_main()


def batch_frame(paths, *, jobs=1):
    """Review every workbook under ``paths`` (as ``perfeval batch`` does) and return pandas
    DataFrames ``files, evaluations, forms, findings``; needs ``pip install 'perfeval-xl[analysis]'``.
    See :mod:`perfeval_xl.analysis` and docs/batch.md."""
    from perfeval_xl.analysis import batch_frame as _batch_frame

    return _batch_frame(paths, jobs=jobs)
