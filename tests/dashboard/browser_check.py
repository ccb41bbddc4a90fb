#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium, driven over the DevTools protocol on a
pipe (--remote-debugging-pipe, so nothing beyond Python's standard library is needed), against
a running example and a fixture run, then against a static report.

Checks, each bounded in time:
  1. dashboard_fixture (a paced run; chain 2 made to fail after warmup): the page connects, draws
     every plot, the points plotted and the iterations shown grow between two looks; the failure
     banner names chain 2 and the reason; the end of the run is announced.
  2. the example live_dashboard (stochastic volatility, 4 chains): the page follows the run to
     its end, every iteration shown, and says "Run finished".
  3. the report live_dashboard wrote: opens from file://, draws every plot, loads nothing.
Screenshots (PNG) go to --out for a person to look at. No JavaScript errors are allowed.

  browser_check.py --example build/examples/live_dashboard --fixture build/tests/dashboard/dashboard_fixture
                   --out build/tests/dashboard/browser [--chromium /usr/bin/chromium]
"""
import argparse
import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

PROBE = r"""!document.body || !document.body.dataset.run ? null : JSON.stringify({
  run: document.body.dataset.run, conn: document.body.dataset.conn, updates: +document.body.dataset.updates,
  plots: [...document.querySelectorAll('.plot')].map(p => ({id: p.dataset.plot, points: +(p.dataset.points || 0),
          canvas: !!p.querySelector('canvas'), width: p.querySelector('canvas') ? p.querySelector('canvas').width : 0})),
  banners: [...document.querySelectorAll('.banner')].map(b => ({cls: b.className, text: b.textContent})),
  iterations: [...document.querySelectorAll('#chain-rows tr small')].map(s => parseInt(s.textContent)),
  summary: document.querySelectorAll('#summary-rows tr').length,
  errors: window.exmcErrors || [],
  resources: performance.getEntriesByType('resource').map(r => r.name)
})"""


class Browser:
    """Headless Chromium with one page, spoken to over --remote-debugging-pipe (fd 3 in, fd 4 out,
    JSON messages ended by a NUL byte)."""

    def __init__(self, chromium, width=1400, height=1000):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="exmc-chromium-")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + self.profile,
                 "--remote-debugging-pipe", f"--window-size={width},{height}", "about:blank"]
        cmd = " ".join([f"exec {chromium}"] + flags + [f"3<&{to_chrome_r}", f"4>&{from_chrome_w}"])
        self.proc = subprocess.Popen(["bash", "-c", cmd], pass_fds=(to_chrome_r, from_chrome_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.width = width
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Runtime.enable", session=True)
        # Collect JavaScript errors from the first script on.
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source":
                  "window.exmcErrors = []; window.addEventListener('error', e => window.exmcErrors.push(String(e.message)));"},
                  session=True)
        self.size(width, height)

    def call(self, method, params=None, session=False, timeout=30.0):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"Chromium did not answer {method} within {timeout} s")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self.buffer += chunk

    def size(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def open(self, url):
        self.call("Page.navigate", {"url": url}, session=True)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def probe(self):
        """What the page shows now (an empty state while it is still loading)."""
        text = self.evaluate(PROBE)
        if text is None:
            return {"run": None, "conn": None, "updates": 0, "plots": [], "banners": [], "iterations": [],
                    "summary": 0, "errors": [], "resources": []}
        return json.loads(text)

    def screenshot(self, path, full=False):
        """The window (1400 x 1600), or the whole page as tall as it is."""
        height = int(self.evaluate("document.documentElement.scrollHeight") or 1000) if full else 1600
        self.size(self.width, min(max(height, 600), 8000))
        time.sleep(0.8)  # the charts redraw at the new size
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print(f"  screenshot: {path}")

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def start(cmd, log_path):
    """Starts a program serving a dashboard; returns (process, url) once it has printed the address."""
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(log_path) as f:
            m = re.search(r"exmc dashboard: (http://127\.0\.0\.1:\d+/)", f.read())
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{cmd[0]} printed no dashboard address; see {log_path}")


def wait_log(path, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path) as f:
            if text in f.read():
                return
        time.sleep(0.1)
    raise AssertionError(f"'{text}' did not appear in {path} within {timeout} s")


def wait_for(browser, what, test, timeout):
    deadline = time.monotonic() + timeout
    while True:
        state = browser.probe()
        if state["errors"]:
            raise AssertionError(f"JavaScript errors: {state['errors']}")
        if test(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; page state: {json.dumps(state)[:2000]}")
        time.sleep(0.25)


def points(state, kind):
    return sum(p["points"] for p in state["plots"] if p["id"].endswith(kind))


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--example", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    report = os.path.join(args.out, "report.html")
    if os.path.exists(report):
        os.remove(report)
    t0 = time.monotonic()
    browser = Browser(args.chromium)
    procs = []
    try:
        print("1. a paced run (dashboard_fixture, chain 2 made to fail after warmup)")
        proc, url = start([args.fixture, "--port", "0", "--fail-chain", "2", "--wait", "60", "--linger", "60"],
                          os.path.join(args.out, "fixture.log"))
        procs.append(proc)
        browser.open(url)  # the fixture starts sampling once the page is connected
        first = wait_for(browser, "plots with points", lambda s: s["conn"] == "live" and points(s, "trace") > 0, 60)
        time.sleep(1.5)
        second = browser.probe()
        plots = {p["id"] for p in second["plots"] if p["canvas"] and p["width"] > 0}
        for need in ["q0trace", "q0dens", "q0rank", "q1trace", "q2trace", "lp", "step", "depth", "accept", "energy", "pair"]:
            assert need in plots, f"plot {need} missing; have {sorted(plots)}"
        print(f"  trace points {points(first, 'trace')} -> {points(second, 'trace')}, "
              f"iterations {sum(first['iterations'])} -> {sum(second['iterations'])}")
        assert points(second, "trace") > points(first, "trace"), "the traces did not grow between two looks 1.5 s apart"
        assert sum(second["iterations"]) > sum(first["iterations"]), "the chains' progress did not move"
        browser.screenshot(os.path.join(args.out, "fixture_running.png"))
        failed = wait_for(browser, "the failure banner", lambda s: any("failed" in b["cls"] and "Chain 2 failed" in b["text"]
                                                                      for b in s["banners"]), 60)
        text = next(b["text"] for b in failed["banners"] if "Chain 2 failed" in b["text"])
        assert "injected fault" in text, text
        print("  banner: " + text[:160])
        ended = wait_for(browser, "the end of the run", lambda s: s["run"] == "failed"
                         and any("end" in b["cls"] for b in s["banners"]), 60)
        print("  banner: " + next(b["text"] for b in ended["banners"] if "end" in b["cls"]))
        browser.screenshot(os.path.join(args.out, "chain_failed.png"))
        stop(proc)

        print("2. the example live_dashboard (stochastic volatility, 4 chains)")
        proc, url = start([args.example, "--port", "0", "--wait", "60", "--linger", "60", "--report", report],
                          os.path.join(args.out, "live_dashboard.log"))
        procs.append(proc)
        browser.open(url)
        done = wait_for(browser, "the run-finished banner", lambda s: any("done end" in b["cls"] for b in s["banners"])
                        and s["summary"] > 0 and points(s, "trace") > 0, 120)
        assert done["run"] == "finished", done["run"]
        assert not any("failed" in b["cls"] for b in done["banners"]), done["banners"]
        assert sum(done["iterations"]) == 4 * 2000, done["iterations"]
        print("  banner: " + next(b["text"] for b in done["banners"] if "done end" in b["cls"]))
        browser.screenshot(os.path.join(args.out, "live_finished.png"))
        wait_log(os.path.join(args.out, "live_dashboard.log"), "report written to", 60)
        stop(proc)

        print("3. the static report, from file://")
        browser.open("file://" + os.path.abspath(report))
        static = wait_for(browser, "the report's plots", lambda s: points(s, "trace") > 0 and s["summary"] > 0, 30)
        assert static["run"] == "finished", static["run"]
        assert not static["resources"], f"the report loaded {static['resources']}"
        browser.screenshot(os.path.join(args.out, "report.png"))
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        browser.close()
    print(f"browser check passed in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, RuntimeError, TimeoutError) as e:
        print(f"browser check FAILED: {e}", file=sys.stderr)
        sys.exit(1)
