"""`guard audit` under the faults a nightly job meets: real processes, real signals.

A worker killed mid-run, the main process stopped by SIGTERM, SIGINT or
SIGHUP (or killed outright), a full disk, a closed pipe: each ends with one
line and the documented status, no process left behind and no report file
half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "chat_log.jsonl"
# ~0.2 s to judge (104 violations a kilobyte): a worker holding one is busy
DENSE = "加我微信abc123 " * 5000

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc; signals as Linux delivers them")


def slow_log(path: Path, parts: int = 40) -> Path:
    """The sample log `parts` times over, each time with a message slow to judge."""
    sample = SAMPLE.read_bytes()
    with path.open("wb") as out:
        for part in range(parts):
            out.write(sample)
            out.write(json.dumps({"shop": "店铺09", "agent": "客服9", "conversation": f"D{part}",
                                  "time": "2026-11-05T10:00:00+08:00", "role": "agent",
                                  "text": DENSE}, ensure_ascii=False).encode() + b"\n")
    return path


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def start_audit(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "guard.cli", "audit", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)


def wait_for_workers(process: subprocess.Popen[bytes], count: int = 2) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = children(process.pid)
        if len(workers) >= count:
            return workers
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    raise AssertionError("the workers never started")


def running(pid: int) -> bool:
    """On a CPU (state R): a worker judging a chunk, not one waiting for work."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"R"
    except OSError:
        return False


def wait_until_at_work(process: subprocess.Popen[bytes]) -> tuple[list[int], int]:
    """The workers, once one of them is judging a chunk, and that one.

    A fixed sleep would race the run: on a quiet machine the whole log takes
    about a second, so a signal sent "0.3 s in" may find the run finished.
    """
    workers = wait_for_workers(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for pid in workers:
            if running(pid):
                return workers, pid
        assert process.poll() is None, process.communicate()
        time.sleep(0.002)
    raise AssertionError("no worker was ever seen at work")


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return slow_log(tmp_path_factory.mktemp("faults") / "slow.jsonl")


@pytest.fixture(scope="module")
def undisturbed(log: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The JSON report of an undisturbed run (one worker: the same as two, tested apart)."""
    path = tmp_path_factory.mktemp("undisturbed") / "report.json"
    assert main(["audit", str(log), "--quiet", "--chunk-bytes", "65536", "--json",
                 str(path)]) == 1
    return path.read_bytes()


def test_a_killed_worker_is_replaced_and_the_report_is_the_same(log: Path, undisturbed: bytes,
                                                                tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    process = start_audit(str(log), "--workers", "2", "--quiet", "--chunk-bytes", "65536",
                          "--json", str(report))
    _, victim = wait_until_at_work(process)  # each chunk holds a message that takes ~0.2 s
    os.kill(victim, signal.SIGKILL)  # as the OOM killer does
    _, err = process.communicate(timeout=120)
    lines = err.decode().splitlines()
    if process.returncode == 2:  # the issue allows it: the chunk failed twice
        assert len(lines) == 1 and "重试仍失败" in lines[0], lines
        assert not report.exists()
        return
    assert process.returncode == 1, lines  # as undisturbed: violations found
    assert len(lines) == 1 and "被 SIGKILL 终止" in lines[0] and "重新审计" in lines[0], lines
    assert report.read_bytes() == undisturbed
    assert not alive(victim)


def test_a_chunk_whose_workers_keep_dying_ends_the_run_in_one_line(log: Path,
                                                                   tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    process = start_audit(str(log), "--workers", "2", "--quiet", "--chunk-bytes", "65536",
                          "--json", str(report))
    wait_for_workers(process)
    while process.poll() is None:  # every worker killed as soon as it appears
        for pid in children(process.pid):
            with contextlib.suppress(ProcessLookupError):  # it may have ended since listed
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
    err = process.stderr.read().decode() if process.stderr else ""
    lines = err.splitlines()
    assert process.returncode == 2, lines
    assert "重试仍失败" in lines[-1] and "审计未完成，没有写出报告" in lines[-1]
    assert all("重新审计" in line for line in lines[:-1])  # the warnings before it
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("stop", "status"), [
    (signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_stop_signal_stops_every_process_and_writes_no_report(
        log: Path, tmp_path: Path, stop: signal.Signals, status: int) -> None:
    old = tmp_path / "report.csv"
    old.write_text("yesterday's report\n", encoding="utf-8")
    process = start_audit(str(log), "--workers", "2", "--quiet", "--chunk-bytes", "65536",
                          "--json", str(tmp_path / "report.json"), "--csv", str(old))
    workers, _ = wait_until_at_work(process)
    os.kill(process.pid, stop)
    _, err = process.communicate(timeout=5)
    assert process.returncode == status
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"guard: 已中断（收到 {stop.name}）："), lines
    assert "没有写出报告文件" in lines[0]
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    # nothing new, nothing half-written, no temporary file: yesterday's report as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
    assert old.read_text(encoding="utf-8") == "yesterday's report\n"


def test_workers_die_with_the_main_process_however_it_ends(log: Path, tmp_path: Path) -> None:
    process = start_audit(str(log), "--workers", "2", "--quiet", "--chunk-bytes", "65536",
                          "--json", str(tmp_path / "report.json"))
    workers = wait_for_workers(process)
    process.kill()  # SIGKILL: nothing of the main process runs any more
    process.communicate(timeout=5)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    assert not (tmp_path / "report.json").exists()


# ---------------------------------------------------------------- writes


@pytest.mark.parametrize("flag", ["--json", "--csv", "--html"])
def test_a_full_disk_is_one_line_and_status_2(flag: str) -> None:
    done = subprocess.run([sys.executable, "-m", "guard.cli", "audit", str(SAMPLE), "--quiet",
                           flag, "/dev/full"], capture_output=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        f"guard: {flag} /dev/full: 写入失败：磁盘已满；没有写出报告文件"]


def test_standard_output_full_or_closed() -> None:
    audit = [sys.executable, "-m", "guard.cli", "audit", str(SAMPLE)]
    with open("/dev/full", "wb") as full:
        for extra in ([], ["--json", "-"]):
            done = subprocess.run([*audit, *extra], stdout=full, stderr=subprocess.PIPE,
                                  cwd=ROOT, timeout=120)
            assert done.returncode == 2
            assert done.stderr.decode().splitlines()[-1] == (
                "guard: 写入标准输出失败：磁盘已满")
            assert "Traceback" not in done.stderr.decode()
    # a reader that stops after ten bytes: the run ends quietly with its own status
    for extra in (["--json", "-", "--quiet"], []):
        shell = subprocess.run(
            ["bash", "-c", 'set -o pipefail; "$@" | head -c 10 > /dev/null', "sh", *audit,
             *extra, "--chunk-bytes", "4096"],
            capture_output=True, cwd=ROOT, timeout=120)
        assert shell.returncode == 1, shell.stderr  # blocked messages, as the run found
        assert b"Traceback" not in shell.stderr and b"Error" not in shell.stderr


def test_check_jsonl_full_or_closed(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n"
                             for t in ["您好", "加我微信 abc123"] * 2000), encoding="utf-8")
    check = [sys.executable, "-m", "guard.cli", "check", "--jsonl", str(lines)]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(check, stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == ["guard: 写入标准输出失败：磁盘已满"]
    shell = subprocess.run(["bash", "-c", 'set -o pipefail; "$@" | head -c 10 > /dev/null',
                            "sh", *check], capture_output=True, cwd=ROOT, timeout=120)
    assert shell.returncode == 1  # every line judged, as the run would have: some blocked
    assert shell.stderr.decode().splitlines() == [  # no complaint; the counts are the run's
        f"guard: {lines}：记录 4000：通过 2000，提醒 0，拦截 2000，拒收 0"]


def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """A disk that fills while the HTML is written: the JSON, written first and complete,
    is not put in place either — the run failed, and yesterday's reports stay."""
    from guard.audit import render_html

    old_json, old_html = tmp_path / "r.json", tmp_path / "r.html"
    old_json.write_text("old json", encoding="utf-8")
    old_html.write_text("old html", encoding="utf-8")

    def fill_up(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render_html, "write_html", fill_up)
    status = main(["audit", str(SAMPLE), "--quiet", "--json", str(old_json),
                   "--html", str(old_html)])
    assert status == 2
    assert "--html" in capsys.readouterr().err
    assert old_json.read_text(encoding="utf-8") == "old json"
    assert old_html.read_text(encoding="utf-8") == "old html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]


def test_reports_replace_the_old_ones_whole(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    assert main(["audit", str(SAMPLE), "--quiet", "--json", str(link)]) == 1
    assert link.is_symlink()  # the file it points to is what gets replaced
    assert json.loads(target.read_text(encoding="utf-8"))["totals"]["records"] == 320
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # readable as any new file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "r.json"]
