"""The console script ends ``score`` and ``review`` at once (``os._exit``) once everything is written:
nothing may be lost by it — the output file complete and in place, no temporary file left, the exit
status and every printed line the same as :func:`perfeval_xl.cli.main` called in-process gives."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfeval_xl.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _console(args, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m perfeval_xl.cli ARGS`` (the console script's way in), its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "perfeval_xl.cli", *args], capture_output=True, cwd=cwd, env=env)


def test_score_ended_at_once_loses_nothing(xishan, tmp_path, capsys):
    in_process = tmp_path / "in_process.xlsx"
    console = tmp_path / "console.xlsx"
    code = main(["score", str(xishan), "-o", str(in_process)])  # in-process: returns, never exits
    printed = capsys.readouterr()
    proc = _console(["score", str(xishan), "-o", str(console)], tmp_path)
    assert proc.returncode == code == 0
    # the same lines, every one of them (the last names the file written): the buffered output was flushed
    assert proc.stdout.decode("utf-8") == printed.out.replace(str(in_process), str(console))
    assert proc.stdout.decode("utf-8").rstrip("\n").endswith(f"已写入：{console}")
    assert proc.stderr == b"" and printed.err == ""
    # the scored copy is complete and in its place, byte for byte what the in-process run wrote
    assert console.read_bytes() == in_process.read_bytes()
    # and nothing else was left in the folder (no temporary file of the atomic write)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([xishan.name, "in_process.xlsx", "console.xlsx"])


@pytest.mark.slow
def test_score_json_ended_at_once(xishan, tmp_path, capsys):
    code = main(["score", str(xishan), "-o", str(tmp_path / "a.xlsx"), "--json"])
    expected = json.loads(capsys.readouterr().out)
    proc = _console(["score", str(xishan), "-o", str(tmp_path / "b.xlsx"), "--json"], tmp_path)
    assert proc.returncode == code
    assert json.loads(proc.stdout.decode("utf-8")) == expected
    assert (expected["total"], expected["grade"]) == (88.51, "良")  # seed 000's score as its report prints it


def test_a_failed_score_is_not_ended_early_and_says_why(tmp_path):
    missing = tmp_path / "没有这个文件.xlsx"
    proc = _console(["score", str(missing)], tmp_path)
    assert proc.returncode == 2
    assert "没有这个文件.xlsx" in proc.stderr.decode("utf-8")


@pytest.mark.slow
def test_review_ended_at_once_loses_nothing(xishan, tmp_path, capsys):
    in_process = tmp_path / "in_process.xlsx"
    console = tmp_path / "console.xlsx"
    code = main(["review", str(xishan), "-o", str(in_process), "--json"])
    expected = json.loads(capsys.readouterr().out)
    proc = _console(["review", str(xishan), "-o", str(console), "--json"], tmp_path)
    assert proc.returncode == code
    assert json.loads(proc.stdout.decode("utf-8")) == expected
    assert console.read_bytes() == in_process.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([xishan.name, "in_process.xlsx", "console.xlsx"])


def test_main_in_process_only_returns(xishan, tmp_path, capsys):
    """Called from Python (tests, the add-in, the web page) a command returns its status: the process
    goes on (this test would not finish otherwise)."""
    assert main(["score", str(xishan), "-o", str(tmp_path / "c.xlsx"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["grade"] == "良"


@pytest.mark.slow
def test_batch_ended_at_once_loses_nothing(xishan, tmp_path, capsys):
    books = tmp_path / "books"
    books.mkdir()
    xishan.rename(books / xishan.name)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    code = main(["batch", str(books), "-o", str(tmp_path / "a" / "汇总.xlsx"), "--json"])
    expected = json.loads(capsys.readouterr().out)
    proc = _console(["batch", str(books), "-o", str(tmp_path / "b" / "汇总.xlsx"), "--json"], tmp_path)
    # 1: seed 000's report printed 25.56% where the funds give 26.56% (its 资金到位率 slips): 有差错
    assert proc.returncode == code == 1
    assert [row["status"] for row in expected["rows"]] == ["有差错"]
    got = json.loads(proc.stdout.decode("utf-8"))
    assert got["output"] == str(tmp_path / "b" / "汇总.xlsx")
    assert {**got, "output": ""} == {**expected, "output": ""}
    assert (tmp_path / "b" / "汇总.xlsx").read_bytes() == (tmp_path / "a" / "汇总.xlsx").read_bytes()
    # the store was closed before the end: its write-ahead log checkpointed and gone, nothing else left
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["汇总.sqlite", "汇总.xlsx"]
    import sqlite3

    with sqlite3.connect(tmp_path / "b" / "汇总.sqlite") as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 1


def test_the_scored_result_holds_the_snapshot_it_was_read_from(xishan, tmp_path):
    """score_file keeps its input's snapshot with the result, so it is freed with the result (and never,
    when the console script ends the process while holding the result)."""
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_file

    scored = score_file(xishan, tmp_path / "o.xlsx")
    again = read_snapshot(xishan)
    assert list(scored.source_snapshot) == list(again)
    assert all(list(scored.source_snapshot[name]) == list(again[name]) for name in again)
    assert "source_snapshot" not in repr(scored)  # not data: never printed


@pytest.mark.slow
def test_a_score_without_json_never_loads_the_json_module(xishan, tmp_path):
    probe = ("import sys; from perfeval_xl.cli import main; code = main(sys.argv[1:]); "
             "sys.stderr.write('json loaded: %s' % ('json' in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    plain = subprocess.run([sys.executable, "-c", probe, "score", str(xishan), "-o", str(tmp_path / "a.xlsx")],
                           capture_output=True, cwd=tmp_path, env=env)
    assert plain.returncode == 0 and plain.stderr.decode().endswith("json loaded: False")
    with_json = subprocess.run([sys.executable, "-c", probe, "score", str(xishan), "-o", str(tmp_path / "b.xlsx"),
                                "--json"], capture_output=True, cwd=tmp_path, env=env)
    assert with_json.returncode == 0 and with_json.stderr.decode().endswith("json loaded: True")
    assert json.loads(with_json.stdout.decode("utf-8"))["grade"] == "良"


def test_the_collector_is_paused_from_the_commands_imports_on(xishan, tmp_path, monkeypatch, capsys):
    """score and review pause the cyclic collector from their first import on (the modules' thousands of
    objects are never garbage), and hand it back as it was when the command returns."""
    import gc

    import perfeval_xl.pipeline
    import perfeval_xl.review

    seen = []
    real_score, real_review = perfeval_xl.pipeline.score_file, perfeval_xl.review.review_file

    def score_file(*args, **kwargs):
        seen.append(("score", gc.isenabled()))
        return real_score(*args, **kwargs)

    def review_file(*args, **kwargs):
        seen.append(("review", gc.isenabled()))
        return real_review(*args, **kwargs)

    monkeypatch.setattr(perfeval_xl.pipeline, "score_file", score_file)
    monkeypatch.setattr(perfeval_xl.review, "review_file", review_file)
    assert gc.isenabled()
    assert main(["score", str(xishan), "-o", str(tmp_path / "s.xlsx"), "--json"]) == 0
    assert gc.isenabled()
    # seed 000's report prints 资金到位率 25.56% where its funds give 26.56%: slips, exit 1
    assert main(["review", str(xishan), "-o", str(tmp_path / "r.xlsx"), "--json"]) == 1
    assert gc.isenabled()
    assert seen == [("score", False), ("review", False)]
    capsys.readouterr()


def test_the_reviewed_result_holds_what_it_was_read_from(xishan, tmp_path):
    """review_file keeps what it read (the template's sheets and the others) with the result, as score_file
    keeps its snapshot: freed with the result, never by the console script's early end."""
    from perfeval_xl.review import read_for_review, review_file

    reviewed = review_file(xishan, tmp_path / "o.xlsx")
    inputs, others = read_for_review(xishan)
    held_inputs, held_others = reviewed.source_read
    assert list(held_inputs) == list(inputs) and list(held_others) == list(others)
    assert all(list(held_inputs[name]) == list(inputs[name]) for name in inputs)
    assert "source_read" not in repr(reviewed)  # not data: never printed
