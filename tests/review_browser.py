"""Drives headless Chromium (chromium-driver, python3-selenium from Debian)
through the review application for tests/review_browser_test.sh.

Usage: review_browser.py STEP BASE_URL ARTIFACTS_DIR
  reviewer  the queue lists signals in the API's priority order; the page of
            the first signal with a series shows one chart point per period
            and marks the flagged ones; a decision recorded through the page's
            form appears in its audit trail. Prints the signal id it decided.
  restarted SIGNAL_ID: after a restart the decision and its trail are there.
  viewer    SIGNAL_ID: a viewer sees no decision form and a POST is refused.
Each check prints "ok: ..." or "FAIL: ..."; the exit status is the number of
failures. Screenshots go to ARTIFACTS_DIR.
"""
import json
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

failures = 0


def check(name, condition, detail=""):
    global failures
    if condition:
        print("ok: " + name)
    else:
        failures += 1
        print("FAIL: " + name + (": " + str(detail) if detail else ""))


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return json.load(response)


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1800", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(120)
    return driver


def full_page_screenshot(driver, path):
    # Resize to the page's height so the screenshot shows all of it.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height, 800), 6000))
    driver.save_screenshot(path)
    driver.set_window_size(1400, 1800)


def decisions_on_page(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, "tr.decision")
    return [(r.find_element(By.CSS_SELECTOR, ".decision-reviewer").text,
             r.find_element(By.CSS_SELECTOR, ".decision-state").text,
             r.find_element(By.CSS_SELECTOR, ".decision-reason").text) for r in rows]


REASON = "Checked against local reports by the browser test"


def step_reviewer(driver, base, artifacts):
    listed = api(base, "/api/v1/signals?status=all&limit=500")
    items = listed["items"]
    check("the API lists signals", len(items) > 0, listed.get("total"))
    priorities = [item["priority"] for item in items]
    check("the API orders by priority, highest first",
          all(a >= b for a, b in zip(priorities, priorities[1:])))

    driver.get(base + "/?status=all")
    rows = driver.find_elements(By.CSS_SELECTOR, "tr.signal-row")
    shown = [row.get_attribute("data-signal-id") for row in rows]
    check("the queue page shows rows", len(shown) > 0)
    check("the queue lists signals in the API's priority order",
          shown == [item["signal_id"] for item in items[:len(shown)]],
          (shown[:5], [item["signal_id"] for item in items[:5]]))
    full_page_screenshot(driver, artifacts + "/queue.png")

    chosen = None
    for item in items:
        detail = api(base, "/api/v1/signals/" + item["signal_id"])
        series = detail.get("series") or (detail.get("signal") or {}).get("series")
        if series and len(series.get("points", [])) >= 10:
            chosen = (item["signal_id"], series["points"])
            break
    check("a listed signal carries a series of 10 or more periods", chosen is not None)
    if chosen is None:
        return None
    signal_id, points = chosen
    driver.get(base + "/signals/" + signal_id)
    drawn = driver.find_elements(By.CSS_SELECTOR, "#chart svg .point")
    check("the chart draws one point per period of the series (%d)" % len(points),
          len(drawn) == len(points), len(drawn))
    flagged = driver.find_elements(By.CSS_SELECTOR, "#chart svg .point.flagged")
    check("the chart marks the flagged periods (%d)" % sum(p["flagged"] for p in points),
          len(flagged) == sum(1 for p in points if p["flagged"]), len(flagged))
    check("the page has no decisions yet", decisions_on_page(driver) == [])
    full_page_screenshot(driver, artifacts + "/signal.png")

    Select(driver.find_element(By.ID, "decision-state")).select_by_value("validated")
    driver.find_element(By.ID, "decision-reason").send_keys(REASON)
    driver.find_element(By.ID, "decision-submit").click()
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.decision")) > 0)
    trail = decisions_on_page(driver)
    check("the decision appears in the audit trail",
          len(trail) == 1 and trail[0][0] == "alice" and "validated" in trail[0][1].lower().replace(" ", "_")
          and trail[0][2] == REASON, trail)
    full_page_screenshot(driver, artifacts + "/signal-decided.png")
    return signal_id


def step_restarted(driver, base, signal_id):
    driver.get(base + "/signals/" + signal_id)
    trail = decisions_on_page(driver)
    check("after a restart the audit trail still holds the decision",
          len(trail) == 1 and trail[0][0] == "alice" and trail[0][2] == REASON, trail)
    state = driver.find_element(By.ID, "review-state").text.lower()
    check("after a restart the signal is still validated", "validated" in state, state)
    detail = api(base, "/api/v1/signals/" + signal_id)
    decisions = detail.get("decisions", [])
    check("the API gives the decision with reviewer, time and reason",
          len(decisions) == 1 and decisions[0].get("reviewer") == "alice" and
          decisions[0].get("reason") == REASON and decisions[0].get("time"), decisions)


def step_viewer(driver, base, signal_id):
    driver.get(base + "/signals/" + signal_id)
    check("a viewer is shown no decision form", not driver.find_elements(By.ID, "decision-form"))
    # The browser itself posts, same origin and JSON, as the page's script
    # would: the service must refuse the viewer.
    status = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: "POST", headers: {"Content-Type": "application/json"},
                             body: JSON.stringify({state: "dismissed", reason: "viewer tries"})})
          .then(r => done(r.status)).catch(e => done(String(e)));
        """, base + "/api/v1/signals/" + signal_id + "/decisions")
    check("a viewer's POST is refused with 403", status == 403, status)
    decisions = api(base, "/api/v1/signals/" + signal_id).get("decisions", [])
    check("the viewer's attempt left the trail unchanged", len(decisions) == 1, decisions)


def main():
    step, base, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    driver = browser()
    try:
        if step == "reviewer":
            signal_id = step_reviewer(driver, base, artifacts)
            if signal_id:
                with open(artifacts + "/decided-signal-id", "w") as out:
                    out.write(signal_id)
        elif step == "restarted":
            step_restarted(driver, base, sys.argv[4])
        elif step == "viewer":
            step_viewer(driver, base, sys.argv[4])
        else:
            check("known step " + step, False)
    finally:
        driver.quit()
    sys.exit(min(failures, 100))


if __name__ == "__main__":
    main()
