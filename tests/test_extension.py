"""The browser extension in a real headless Chromium against a local chat page and `guard serve`.

Debian's chromium and chromium-driver (Selenium), the unpacked extension
loaded with --load-extension, the chat page served on loopback and added to
the extension's URL patterns through its options page. Screenshots of each
state go to the test's temp folder (and to $GUARD_SCREENSHOTS when set).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium "
                "chromium-driver)", allow_module_level=True)
pytest.importorskip("selenium")
pytest.importorskip("uvicorn")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from guard.serve.limits import EXTENSION_ORIGIN  # noqa: E402

from .serving import Served  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
PAGES = Path(__file__).parent / "browser"
KEY = "browser-test-key"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1000,760", "--lang=zh-CN")

VIOLATION = "亲，方便加个微信详细说吗，这边图片发不了"
CLEAN = "好的亲，已经给您备注了，今天下午发出"
WARN = "不能加微信哦，有问题在这里说就好"


def extension_id() -> str:
    """Chrome's ID of an unpacked extension with a `key`: its public key's SHA-256, in a–p."""
    key = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with Served(["--api-key-env", "GUARD_BROWSER_KEY"], env={"GUARD_BROWSER_KEY": KEY}) as server:
        yield server


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(os.environ.get("GUARD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 f"--load-extension={EXTENSION}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield browser
    browser.quit()


def wait(driver: webdriver.Chrome, script: str, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Until the script returns something truthy; that value."""
    return WebDriverWait(driver, timeout, 0.02).until(lambda d: d.execute_script(script))


# From the Enter key (seen by the page before any extension script) to the page's send.
ADDED_DELAY = "return window.sent.at(-1).at - window.enterAt.at(-1);"
UI = "const host = document.querySelector('guard-ui'); "


def ui(driver: webdriver.Chrome, selector: str):  # type: ignore[no-untyped-def]
    return driver.execute_script(UI + "return host && host.shadowRoot.querySelector(arguments[0]);",
                                 selector)


def sent(driver: webdriver.Chrome) -> list[str]:
    return driver.execute_script("return window.sent.map(m => m.text);")


def box(driver: webdriver.Chrome):  # type: ignore[no-untyped-def]
    return driver.find_element(By.CSS_SELECTOR, "textarea#replyTextarea")


def configure(driver: webdriver.Chrome, served: Served, page_url: str) -> None:
    driver.get(f"chrome-extension://{extension_id()}/options.html")
    wait(driver, "return document.getElementById('serverUrl').value;")
    fields = {"serverUrl": served.url, "apiKey": KEY,
              "urlPatterns": "https://mms.pinduoduo.com/chat-merchant/*\n" + page_url + "/*"}
    for name, value in fields.items():
        field = driver.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    driver.find_element(By.ID, "save").click()
    assert "已保存" in wait(driver, "const s = document.getElementById('status').textContent;"
                                  "return s.includes('已保存') || s.includes('失败') ? s : '';")
    driver.find_element(By.ID, "probe").click()
    assert "连接正常" in wait(driver, "const s = document.getElementById('status').textContent;"
                                    "return s.includes('连接') && !s.includes('正在') ? s : '';")


def open_chat(driver: webdriver.Chrome, page_url: str) -> None:
    driver.get(page_url + "/chat.html")
    wait(driver, "return document.documentElement.dataset.guardReady === '1';")


def test_the_extension_id_is_the_one_the_server_allows() -> None:
    assert f"chrome-extension://{extension_id()}" == EXTENSION_ORIGIN


def test_block_rewrite_clean_warn_split_and_button(driver: webdriver.Chrome, served: Served,
                                                   page_url: str, shots: Path) -> None:
    configure(driver, served, page_url)
    driver.save_screenshot(str(shots / "options.png"))
    open_chat(driver, page_url)

    # a violation typed and Enter pressed: not sent, spans and reasons shown
    box(driver).send_keys(VIOLATION)
    box(driver).send_keys(Keys.ENTER)
    wait(driver, UI + "return host && host.dataset.state === 'block';")
    assert VIOLATION not in sent(driver)
    assert box(driver).get_attribute("value") == VIOLATION  # still in the box
    marks = driver.execute_script(
        UI + "return [...host.shadowRoot.querySelectorAll('.message mark.block')]"
             ".map(m => m.textContent);")
    assert marks == ["微信"]
    panel = ui(driver, ".panel").text
    assert ui(driver, ".badge").text == "拦截"
    assert "引导顾客使用微信" in panel and "10 万元" in panel  # the reason and the penalty
    suggestion = ui(driver, ".suggestion .text").text
    assert suggestion.startswith("亲，方便") is False and "拼多多" in suggestion
    driver.save_screenshot(str(shots / "block.png"))

    # the rewrite fills the box, and that text then sends
    ui(driver, "button.use").click()
    assert box(driver).get_attribute("value") == suggestion
    assert ui(driver, ".panel") is None
    box(driver).send_keys(Keys.ENTER)
    wait(driver, "return window.sent.length > 0;")
    assert sent(driver)[-1] == suggestion
    driver.save_screenshot(str(shots / "rewrite-sent.png"))

    # a clean message sends; checked while typing, Enter adds no delay
    box(driver).send_keys(CLEAN)
    time.sleep(0.6)
    box(driver).send_keys(Keys.ENTER)
    wait(driver, "return window.sent.length > 1;")
    assert sent(driver)[-1] == CLEAN
    delay = driver.execute_script(ADDED_DELAY)
    assert 0 <= delay < 50, delay
    # pasted and sent at once: the check is on the way (time to answer, reported)
    pasted = "好的，马上为您处理"
    driver.execute_script("const b = document.getElementById('replyTextarea');"
                          "b.value = arguments[0];"
                          "b.dispatchEvent(new Event('input', {bubbles: true}));", pasted)
    box(driver).send_keys(Keys.ENTER)
    wait(driver, "return window.sent.length > 2;")
    assert sent(driver)[-1] == pasted
    unchecked = driver.execute_script(ADDED_DELAY)
    print(f"\nadded delay: {delay:.1f} ms checked while typing, {unchecked:.1f} ms pasted")
    assert unchecked < 1500

    # a warning: acknowledged once, then it goes
    box(driver).send_keys(WARN)
    box(driver).send_keys(Keys.ENTER)
    wait(driver, UI + "return host && host.dataset.state === 'warn';")
    assert WARN not in sent(driver)
    assert ui(driver, ".badge").text == "提醒" and "否定说法" in ui(driver, ".panel").text
    driver.save_screenshot(str(shots / "warn.png"))
    ui(driver, "button.confirm").click()
    wait(driver, "return window.sent.length > 3;")
    assert sent(driver)[-1] == WARN

    # a split evasion: the message completes what an earlier one began
    box(driver).send_keys("用那个绿色软件")
    box(driver).send_keys(Keys.ENTER)
    wait(driver, "return window.sent.length > 4;")
    box(driver).send_keys("号是mm520")
    box(driver).send_keys(Keys.ENTER)
    wait(driver, UI + "return host && host.dataset.state === 'block';")
    assert "号是mm520" not in sent(driver)
    assert "与您之前发的「用那个绿色软件」连起来构成违规" in ui(driver, ".panel").text
    driver.save_screenshot(str(shots / "split.png"))
    ui(driver, "button.close").click()

    # the Send button is watched too
    box(driver).clear()
    box(driver).send_keys("去淘宝拍吧")
    driver.find_element(By.CSS_SELECTOR, ".send-btn").click()
    wait(driver, UI + "return host && host.dataset.state === 'block';")
    assert "去淘宝拍吧" not in sent(driver)
    ui(driver, "button.close").click()
    box(driver).clear()
    box(driver).send_keys(CLEAN + "！")
    driver.find_element(By.CSS_SELECTOR, ".send-btn").click()
    wait(driver, "return window.sent.length > 5;")
    assert sent(driver)[-1] == CLEAN + "！"


def test_a_stopped_server_shows_the_banner_and_holds(driver: webdriver.Chrome, served: Served,
                                                     page_url: str, shots: Path) -> None:
    open_chat(driver, page_url)
    assert served.stop() == 0
    text = "好的，稍等我查一下"
    box(driver).send_keys(text)
    box(driver).send_keys(Keys.ENTER)
    wait(driver, UI + "return host && host.dataset.banner === 'unreachable';")
    banner = ui(driver, ".banner").text
    assert "连接不上" in banner and "暂未发送" in banner
    assert text not in sent(driver)
    driver.save_screenshot(str(shots / "unreachable.png"))
    ui(driver, "button.anyway").click()
    wait(driver, "return window.sent.length > 0;")
    assert sent(driver)[-1] == text
