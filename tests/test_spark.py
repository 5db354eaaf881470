"""The audit on Spark (local[2]) gives the report `guard audit` gives, and reads what it reads.

Every test shares one SparkSession (the `spark` fixture, conftest.py); they
skip, saying why, only where pyspark or Java is missing.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

# guard.spark's stages import pyarrow: without the [spark] extra (`pip install '.[test]'`
# alone, the README's second command) the module skips instead of failing to import.
pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install '.[spark]'")

from guard.cli import main
from guard.spark.command import master_and_logs
from guard.spark.inputs import Block, _crossing_records, spark_uri
from guard.spark.ship import LexiconBundle

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "chat_log.jsonl"
SAMPLE_CSV = ROOT / "samples" / "chat_log.csv"
# Keys of the JSON report that describe the run, not the logs (none yet; the run's
# end state, timings… would go here).
RUN_METADATA = frozenset({"run", "elapsed", "generated", "started"})


def audit_json(tmp_path: Path, *args: str, spark: bool) -> tuple[int, dict[str, Any]]:
    """(exit status, the JSON report) of `guard audit [--spark local[2]] ARGS`, in this process."""
    out = tmp_path / f"report-{'spark' if spark else 'local'}.json"
    status = main(["audit", *(["--spark", "local[2]"] if spark else []), *args,
                   "--json", str(out), "--quiet"])
    report = json.loads(out.read_text(encoding="utf-8"))
    return status, {k: v for k, v in report.items() if k not in RUN_METADATA}


def relabel(report: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The report with one file's name replaced everywhere (a copy of a log in another format)."""
    text = json.dumps(report, ensure_ascii=False)
    return json.loads(text.replace(json.dumps(old, ensure_ascii=False),
                                   json.dumps(new, ensure_ascii=False)))


@contextmanager
def small_splits(spark, size: int) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Spark cuts text files into splits of `size` bytes (records cross their boundaries)."""
    key = "spark.sql.files.maxPartitionBytes"
    before = spark.conf.get(key)
    spark.conf.set(key, str(size))
    try:
        yield
    finally:
        spark.conf.set(key, before)


# ---------------------------------------------------------------- the sample, three formats


def test_the_sample_jsonl_gives_the_local_report(spark, tmp_path: Path) -> None:
    local_status, local = audit_json(tmp_path, str(SAMPLE), spark=False)
    spark_status, on_spark = audit_json(tmp_path, str(SAMPLE), spark=True)
    assert local["totals"]["records"] == 320 and local["totals"]["split_findings"] > 0
    assert on_spark == local
    assert spark_status == local_status == 1


def test_the_sample_csv_gives_the_local_report(spark, tmp_path: Path) -> None:
    # the Chinese header, and a file cut into 8 splits: line numbers must still match
    _, local = audit_json(tmp_path, str(SAMPLE_CSV), spark=False)
    with small_splits(spark, 4096):
        _, on_spark = audit_json(tmp_path, str(SAMPLE_CSV), spark=True)
    assert local["totals"]["records"] == 300
    assert on_spark == local


def test_a_parquet_copy_gives_the_local_report(spark, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    chinese = {"shop": "店铺", "agent": "客服", "conversation": "会话", "time": "时间",
               "role": "角色", "text": "内容"}  # the CSV header rules name the columns
    table = pa.table({chinese[k]: [row[k] for row in rows] for k in chinese})
    copy = tmp_path / "聊天记录.parquet"
    pq.write_table(table, copy, row_group_size=64)
    _, local = audit_json(tmp_path, str(SAMPLE), spark=False)
    _, on_spark = audit_json(tmp_path, str(copy), spark=True)
    assert on_spark == relabel(local, str(SAMPLE), str(copy))


def test_a_dataframe_gives_the_local_report(spark, tmp_path: Path) -> None:
    from guard.spark import audit_dataframe, findings_dataframe

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    df = spark.createDataFrame(
        [(r["shop"], r["agent"], r["conversation"], r["time"], r["role"], r["text"])
         for r in rows], "`店铺` string, `客服` string, conv string, time string, role string, "
                        "content string").repartition(1)
    columns = {"conversation": "conv", "text": "content"}
    report = audit_dataframe(df, columns=columns, label="昨天")
    _, local = audit_json(tmp_path, str(SAMPLE), spark=False)
    assert report.to_dict() == relabel(local, str(SAMPLE), "昨天")

    findings = findings_dataframe(df, columns=columns, label="昨天")
    got = sorted((r.line, r.rule, r.start, r.message, r.masked, tuple(r.lines), r.split)
                 for r in findings.collect())
    assert got == sorted((f.line, f.rule, f.start, f.message, f.masked, f.lines, f.split)
                         for f in report.findings)
    assert {"file", "line", "rule", "severity", "text", "masked"} <= set(findings.columns)


# ---------------------------------------------------------------- windows across the file


SPLITS = [("用那个绿色软件", "号是mm520"), ("微", "信 abcd1234"), ("号码是 138", "1234 5678"),
          ("v", "x 搜 abc2024 加我"), ("加我企", "鹅 12345678")]


def _conversation_log(path: Path, shuffled: bool) -> Path:
    """Each conversation: a split evasion over two agent messages 30 s apart.

    Grouped: each conversation's lines together. Shuffled: all first halves,
    then 4,100 lines of other conversations, then all second halves — the
    halves further apart than the local reader's 4,000-line lookback.
    """
    start = datetime(2026, 11, 1, 10, 0)
    line = {"shop": "店铺A", "agent": "客服1"}

    def record(seconds: int, conversation: str, role: str, text: str) -> str:
        moment = (start + timedelta(seconds=seconds)).isoformat() + "+08:00"
        return json.dumps({**line, "conversation": conversation, "time": moment, "role": role,
                           "text": text}, ensure_ascii=False)

    firsts = [record(i, f"S{i}", "agent", a) for i, (a, _) in enumerate(SPLITS)]
    seconds = [record(30 + i, f"S{i}", "agent", b) for i, (_, b) in enumerate(SPLITS)]
    filler = [record(10 + i % 20, f"F{i // 2}", "agent" if i % 2 else "buyer",
                     "好的亲，马上为您处理" if i % 2 else "在吗") for i in range(4100)]
    if shuffled:
        lines = [*firsts, *filler, *seconds]
    else:
        lines = [x for pair in zip(firsts, seconds, strict=True) for x in pair] + filler
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _splits(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["conversation"], f["rule"], f["text"]) for f in report["findings"]
                  if f["split"])


def test_conversations_shuffled_across_the_file_keep_every_split_evasion(
        spark, tmp_path: Path) -> None:
    grouped = _conversation_log(tmp_path / "grouped.jsonl", shuffled=False)
    shuffled = _conversation_log(tmp_path / "shuffled.jsonl", shuffled=True)
    _, local_grouped = audit_json(tmp_path, str(grouped), spark=False)
    expected = _splits(local_grouped)
    assert {c for c, _, _ in expected} == {f"S{i}" for i in range(len(SPLITS))}
    _, on_spark = audit_json(tmp_path, str(shuffled), spark=True)
    assert _splits(on_spark) == expected
    assert all(f["lines"][-1] - f["lines"][0] > 4000 for f in on_spark["findings"] if f["split"])
    # the local reader's windows stop 4,000 lines back (README: the difference)
    _, local_shuffled = audit_json(tmp_path, str(shuffled), spark=False)
    assert _splits(local_shuffled) == []


# ---------------------------------------------------------------- bad records


def _bad_jsonl(path: Path) -> Path:
    good = {"shop": "店铺A", "agent": "客服1", "conversation": "C1",
            "time": "2026-11-01T10:00:00+08:00", "role": "agent", "text": "您好，加我微信 abc12345"}
    lines = [
        json.dumps(good, ensure_ascii=False).encode(),
        b"{not json",
        b"",
        b"[1, 2]",
        json.dumps({**good, "text": None}).encode(),
        json.dumps({**good, "role": "boss"}).encode(),
        json.dumps({**good, "time": "yesterday"}).encode(),
        b'{"shop": "\xff\xfe", "agent": "a", "conversation": "c", "time": "2026-11-01", '
        b'"role": "agent", "text": "x"}',
        b"   ",
        json.dumps({**good, "text": "x" * ((1 << 20) + 10)}).encode(),
        json.dumps({**good, "conversation": 42, "role": "买家"}, ensure_ascii=False).encode(),
        json.dumps({**good, "time": "2026/11/01 10:01:00", "text": "信号不好"},
                   ensure_ascii=False).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _bad_csv(path: Path) -> Path:
    """Rows of one line, and every third a quoted text of twelve lines (a pasted order)."""
    rows = ["店铺,客服,会话,时间,角色,内容,备注"]
    for i in range(30):
        text = (f"好的亲，第{i}单已发货" if i % 3 else
                '"' + "\n".join([f"第{i}单：", *(f"商品{k} ×1" for k in range(10)),
                                 f"加我微信 abc{i:05d}"]) + '"')
        rows.append(f"店铺B,客服2,C{i % 5},2026-11-01T10:{i:02d}:00+08:00,客服,{text},")
    rows[5] = "店铺B,客服2,C1,2026-11-01T10:10:00+08:00,客服,太短"  # ragged
    rows[20] = '店铺B,客服2,C1,2026-11-01T10:20:00+08:00,客服,"引号"没关好,'  # broken quote
    data = ("\r\n".join(rows) + "\r\n").encode("utf-8")
    path.write_bytes(data.replace("第11单".encode(), b"\xff\xfe11"))  # not UTF-8
    return path


def _cut_records(data: bytes, split: int) -> int:
    """How many multi-line records have lines on both sides of a split boundary."""
    starts = [0, *[i + 1 for i, byte in enumerate(data) if byte == 10][:-1]]
    cut, record, quotes = 0, [], 0
    for start in starts:
        end = data.find(b"\n", start)
        record.append(start)
        quotes += data.count(b'"', start, end)
        if quotes % 2 == 0:
            cut += any(record[0] // split != line // split for line in record[1:])
            record, quotes = [], 0
    return cut


def test_malformed_records_are_counted_and_listed_as_locally(spark, tmp_path: Path) -> None:
    jsonl = _bad_jsonl(tmp_path / "bad.jsonl")
    compressed = tmp_path / "bad.jsonl.gz"
    compressed.write_bytes(gzip.compress(jsonl.read_bytes()))
    paths = [str(jsonl), str(compressed)]
    local_status, local = audit_json(tmp_path, *paths, spark=False)
    spark_status, on_spark = audit_json(tmp_path, *paths, spark=True)
    totals = local["totals"]
    assert totals["rejected"] == 14 and totals["records"] == 20
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert on_spark == local
    assert spark_status == local_status == 2


def test_csv_records_across_splits_and_bad_rows_as_locally(spark, tmp_path: Path) -> None:
    csv_file = _bad_csv(tmp_path / "bad.csv")
    assert _cut_records(csv_file.read_bytes(), 1024) >= 2
    local_status, local = audit_json(tmp_path, str(csv_file), spark=False)
    with small_splits(spark, 1024):
        spark_status, on_spark = audit_json(tmp_path, str(csv_file), spark=True)
    assert local["totals"]["rejected"] == 3
    multiline = [f for f in local["findings"] if not f["split"] and "\n" in f["message"]]
    assert len(multiline) >= 8
    assert on_spark == local
    assert spark_status == local_status == 2


# ---------------------------------------------------------------- the command line


def test_csv_and_html_outputs_and_merchant_lexicons(spark, tmp_path: Path) -> None:
    lexicons = tmp_path / "mine"
    lexicons.mkdir()
    (lexicons / "mine.toml").write_text(
        '[[group]]\nid = "rival"\nlabel = "某竞品"\ncategory = "other_platform"\n'
        'block = ["竞品商城"]\n', encoding="utf-8")
    log = tmp_path / "竞品.jsonl"
    log.write_text(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": "C1",
                               "time": "2026-11-01T10:00:00+08:00", "role": "agent",
                               "text": "去竞品商城买更便宜"}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    outputs = {}
    for name, extra in (("local", []), ("spark", ["--spark", "local[2]"])):
        csv_out, html_out = tmp_path / f"{name}.csv", tmp_path / f"{name}.html"
        status = main(["audit", *extra, str(log), "--lexicons", str(lexicons),
                       "--csv", str(csv_out), "--html", str(html_out), "--quiet"])
        outputs[name] = (status, csv_out.read_bytes(), html_out.read_text(encoding="utf-8"))
    assert outputs["spark"][0] == outputs["local"][0] == 1
    assert outputs["spark"][1] == outputs["local"][1]
    assert "竞品商城".encode() in outputs["spark"][1] and "某竞品" in outputs["spark"][2]


def test_usage_errors_name_the_problem(spark, tmp_path: Path, capsys) -> None:
    assert main(["audit", "--spark", "local[2]", str(tmp_path / "missing.jsonl")]) == 2
    assert "没有这个文件" in capsys.readouterr().err
    header = tmp_path / "no_header.csv"
    header.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert main(["audit", "--spark", "local[2]", str(header)]) == 2
    assert "CSV 表头缺少" in capsys.readouterr().err
    assert main(["audit", "--spark", "local[2]", "--workers", "2", str(SAMPLE)]) == 2
    assert "--workers" in capsys.readouterr().err
    # a download cut short: the job fails, in one line that says why (locally: its lines kept)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(SAMPLE.read_bytes())[:4000])
    assert main(["audit", "--spark", "local[2]", str(cut), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Spark 作业失败" in err and "Unexpected end of input stream" in err
    assert "Traceback" not in err


def test_master_or_first_log() -> None:
    assert master_and_logs("", ["a.jsonl"]) == (None, ["a.jsonl"])
    assert master_and_logs("local[2]", ["a.jsonl"]) == ("local[2]", ["a.jsonl"])
    assert master_and_logs("yarn", ["hdfs:///x"]) == ("yarn", ["hdfs:///x"])
    assert master_and_logs("spark://host:7077", []) == ("spark://host:7077", [])
    # `guard audit --spark day.jsonl`: the log, not a master
    assert master_and_logs("day.jsonl", ["b.csv"]) == (None, ["day.jsonl", "b.csv"])
    assert master_and_logs("local", ["x"]) == ("local", ["x"])


# ---------------------------------------------------------------- pieces without Spark


def test_the_lexicons_travel_whole(tmp_path: Path) -> None:
    from guard.engine import Guard

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "mine.toml").write_text('[[group]]\nid = "wechat"\nblock = ["围信"]\n',
                                    encoding="utf-8")
    bundle = LexiconBundle.pack([mine])
    builtin, extra = bundle.unpack(tmp_path / "executor")
    assert bundle.unpack(tmp_path / "executor") == [builtin, extra]  # once per machine
    copy = Guard([extra], builtin=builtin, use_cache=False)
    assert copy.lexicon.fingerprint == Guard([mine], use_cache=False).lexicon.fingerprint
    assert copy.check("加我围信").verdict == "block"
    assert LexiconBundle.pack([]).digest != bundle.digest


def test_records_crossing_a_split_boundary() -> None:
    # quote parity per split: the first split leaves a record open on its line 9 (id 8);
    # the second closes it on its first odd line
    blocks = [Block("f", 0, 0, 10, quotes=1, first_odd=3, last_odd=8),
              Block("f", 100, 1 << 33, 10, quotes=1, first_odd=(1 << 33) + 2,
                    last_odd=(1 << 33) + 2),
              Block("f", 200, 2 << 33, 10, quotes=0)]
    offsets = {("f", b.block): (0, 1 + 10 * i - b.first_id) for i, b in enumerate(blocks)}
    assert _crossing_records(blocks, offsets) == [(9, 13)]


def test_spark_uris() -> None:
    assert spark_uri("file:///tmp/a%20b.jsonl") == "file:/tmp/a%20b.jsonl"
    assert spark_uri("file:/tmp/x") == "file:/tmp/x"
    assert spark_uri("hdfs://nn:8020/logs/x") == "hdfs://nn:8020/logs/x"
