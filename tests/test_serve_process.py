"""The real `guard serve` process: over HTTP on loopback, reloaded by SIGHUP mid-stream, stopped."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

from .serving import Served

KEY = "process-test-key"
AUTH = {"X-API-Key": KEY}
NEW_TERM = "暗号星球号"
PROBE = f"加我{NEW_TERM}"


def lexicon(folder: Path, *terms: str) -> None:
    (folder / "mine.toml").write_text(
        '[[group]]\nid = "secret-app"\nlabel = "暗号星球"\ncategory = "contact_im"\n'
        f"block = {list(terms)!r}\n".replace("'", '"'), encoding="utf-8")


def test_serve_over_http_reload_on_sighup_under_load_and_stop(tmp_path: Path) -> None:
    folder = tmp_path / "lexicons"
    folder.mkdir()
    lexicon(folder, "星球暗号甲")
    server = Served(["--lexicons", str(folder), "--api-key-env", "GUARD_TEST_KEY"],
                    env={"GUARD_TEST_KEY": KEY})
    with server:
        assert server.call("GET", "/healthz")[0] == 200  # no key asked
        assert server.call("GET", "/v1/info")[0] == 401
        status, info = server.call("GET", "/v1/info", headers=AUTH)
        assert status == 200 and info["lexicon_dirs"] == [str(folder)]
        status, verdict = server.call("POST", "/v1/check", {"text": "加我星球暗号甲"}, AUTH)
        assert status == 200 and verdict["verdict"] == "block" and verdict["suggestion"]
        assert server.call("POST", "/v1/check", {"text": PROBE}, AUTH)[1]["verdict"] == "pass"

        # A stream of requests on two connections while the lexicon is reloaded.
        failures: list[str] = []
        seen: list[list[str]] = [[], []]
        stop = threading.Event()

        def stream(index: int) -> None:
            connection = server.connection()
            while not stop.is_set():
                try:
                    status, body = server.call("POST", "/v1/check", {"text": PROBE}, AUTH,
                                               connection)
                except Exception as exc:  # a dropped connection is a failure too
                    failures.append(repr(exc))
                    connection = server.connection()
                    continue
                if status != 200:
                    failures.append(f"{status} {body}")
                else:
                    seen[index].append(body["verdict"])
            connection.close()

        threads = [threading.Thread(target=stream, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        lexicon(folder, "星球暗号甲", NEW_TERM)
        mark = len(server.lines)
        server.signal(signal.SIGHUP)
        # the reload compiles the whole lexicon (≈ 5 s alone) while the two streams hold the
        # GIL half the time; on a loaded machine that has taken over a minute
        server.wait_for("词库已重新加载（SIGHUP", timeout=240, after=mark)
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(30)
        assert not failures
        for verdicts in seen:
            assert len(verdicts) > 20 and verdicts[0] == "pass" and verdicts[-1] == "block"
            first_block = verdicts.index("block")  # old lexicon, then new: never back, never mixed
            assert set(verdicts[:first_block]) == {"pass"}
            assert set(verdicts[first_block:]) == {"block"}
        assert server.call("GET", "/v1/info", headers=AUTH)[1]["reloads"] == 1

        # A broken lexicon: the old one stays, and the log says which file and line.
        (folder / "mine.toml").write_text('[[group]]\nid = "x"\ncategory = "nope"\n',
                                          encoding="utf-8")
        mark = len(server.lines)
        server.signal(signal.SIGHUP)
        line = server.wait_for("重新加载失败", timeout=240, after=mark)
        assert "mine.toml:3" in line and "仍在使用原来的词库" in line
        assert server.call("POST", "/v1/check", {"text": PROBE}, AUTH)[1]["verdict"] == "block"

        access = [line for line in server.lines if "POST /v1/check 200" in line]
        assert access and all(NEW_TERM not in line for line in server.lines)
        assert server.stop() == 0
    assert "已停止" in server.lines[-1]


def test_a_port_in_use_and_a_missing_key_are_usage_errors(tmp_path: Path) -> None:
    with Served() as first:
        process = _run(["serve", "--port", str(first.port)])
        assert process.returncode == 2 and "无法监听" in process.stderr
        assert first.call("GET", "/healthz")[0] == 200
    process = _run(["serve", "--api-key-env", "GUARD_NO_SUCH_VARIABLE"])
    assert process.returncode == 2 and "GUARD_NO_SUCH_VARIABLE" in process.stderr
    process = _run(["serve", "--lexicons", str(tmp_path / "nope")])
    assert process.returncode == 2 and "nope" in process.stderr


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", "import sys; from guard.cli import main; "
                           "sys.exit(main())", *args], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
