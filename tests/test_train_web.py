"""`GET /train` on guard serve: the API the page uses, and one round played in a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from guard import Guard
from guard.serve.app import create_app
from guard.serve.limits import ServeConfig
from guard.serve.state import Engines, build_engine
from guard.train.bank import load_bank
from guard.train.judge import Trainer
from tests.chromium import headless_chromium

KEY = "train-key"


@pytest.fixture(scope="module")
def client(guard: Guard) -> TestClient:
    return TestClient(create_app(Engines(build_engine(guard=guard)), ServeConfig(api_key=KEY)))


def test_the_page_opens_without_the_key_and_the_calls_need_it(client: TestClient) -> None:
    page = client.get("/train")
    assert page.status_code == 200 and "guard 客服培训" in page.text
    assert "/v1/train/judge" in page.text
    assert client.get("/v1/train/session").status_code == 401


def test_a_round_over_the_api_is_judged_as_the_cli_judges_it(client: TestClient,
                                                             guard: Guard) -> None:
    auth = {"X-API-Key": KEY}
    session = client.get("/v1/train/session", params={"rounds": 3, "seed": 4}, headers=auth)
    assert session.status_code == 200
    turns = session.json()["turns"]
    assert session.json()["seed"] == 4 and len(turns) == 3
    again = client.get("/v1/train/session", params={"rounds": 3, "seed": 4}, headers=auth)
    assert again.json()["turns"] == turns
    bank, trainer = load_bank(), Trainer(guard)
    answers = ["加我微信发你优惠", trainer.model_reply(bank.turns[turns[1]["turn"]]), "好的亲"]
    rounds = []
    for shown, answer in zip(turns, answers, strict=True):
        response = client.post("/v1/train/judge", headers=auth,
                               json={"turn": shown["turn"], "answer": answer, "seconds": 3})
        assert response.status_code == 200
        data = response.json()
        expected = trainer.judge(bank.turns[shown["turn"]], answer).to_dict()
        assert {k: data[k] for k in expected} == expected  # the same judge, the same result
        rounds.append(data)
    assert rounds[0]["score"] == 0 and rounds[0]["suggestion"]
    assert rounds[1]["score"] == 100 and rounds[1]["model_reply"] == answers[1]
    summary = client.post("/v1/train/summary", headers=auth, json={"rounds": [
        {"turn": t["turn"], "answer": a, "seconds": 3} for t, a in zip(turns, answers,
                                                                      strict=True)]})
    total = summary.json()["total"]
    assert total["rounds"] == 3 and total["blocked"] == 1
    assert total["score"] == round(sum(r["score"] for r in rounds) / 3, 1)
    assert total["seconds_per_answer"] == 3


@pytest.mark.parametrize(("body", "status"), [
    ({"turn": 0, "answer": "  "}, 422), ({"turn": 10**6, "answer": "好"}, 422),
    ({"turn": 0}, 422), ({"turn": 0, "answer": "好" * 200_001}, 413),
])
def test_bad_rounds_are_refused_with_an_error(client: TestClient, body: dict,
                                              status: int) -> None:
    response = client.post("/v1/train/judge", json=body, headers={"X-API-Key": KEY})
    assert response.status_code == status and response.json()["error"]


def test_one_round_in_a_real_browser(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.serving import Served

    driver, profile = headless_chromium("1000,1400")
    try:
        with Served(["--api-key-env", "GUARD_TRAIN_KEY"], env={"GUARD_TRAIN_KEY": KEY}) as server:
            driver.get(server.url + "/train")
            wait = WebDriverWait(driver, 30)
            driver.find_element(By.ID, "rounds").clear()
            driver.find_element(By.ID, "rounds").send_keys("1")
            driver.find_element(By.ID, "start").click()
            # The key is asked for once the API refuses the call without it.
            wait.until(shown.visibility_of_element_located((By.ID, "key")))
            driver.find_element(By.ID, "key").send_keys(KEY)
            driver.find_element(By.ID, "start").click()
            wait.until(shown.visibility_of_element_located((By.ID, "buyer")))
            assert driver.find_element(By.ID, "buyer").text
            driver.find_element(By.ID, "answer").send_keys("加我微信发你优惠")
            driver.find_element(By.ID, "submit").click()
            wait.until(shown.visibility_of_element_located((By.ID, "score")))
            assert driver.find_element(By.ID, "verdict").text == "拦截"
            marks = driver.find_elements(By.CSS_SELECTOR, "#answer-shown mark.block")
            assert [m.text for m in marks] == ["微信"]
            assert "0/100" in driver.find_element(By.ID, "score").text
            assert driver.find_element(By.ID, "model").text
            driver.save_screenshot(str(tmp_path / "round.png"))
            driver.find_element(By.ID, "next").click()
            wait.until(shown.text_to_be_present_in_element((By.ID, "total"), "总分 0/100"))
            driver.save_screenshot(str(tmp_path / "summary.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
