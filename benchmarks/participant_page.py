"""How fast and light the participant page is, against a notebook holding a single button,
both served by the same Voilà (the kit's own template and config), in one run.

For each page, over several alternating loads in headless Chromium:

* time from opening the page to its first usable field (visible and enabled);
* bytes over the kernel websocket (both ways) before that moment;
* the page kernel's unique memory (USS, psutil) once the field is usable.

Targets (the issue): time <= 1.5x the one-button page, websocket < 300 KiB, USS <= 2x.
Run: ``.venv/bin/python benchmarks/participant_page.py [--runs 3]``; exits 1 if a target is
missed. Results are also written to ``benchmarks/results/participant_page.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

from workshop.app import serving
from workshop.store import Store

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = {"one_button": ".rr-bench-button", "participant": ".rr-join-code input"}
TARGETS = {"time_ratio": 1.5, "websocket_kib": 300.0, "uss_ratio": 2.0}
RESULTS = Path(__file__).with_name("results")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebooks(folder: Path) -> None:
    shutil.copy(serving.bundled("notebooks") / serving.PARTICIPANT, folder / "participant.ipynb")
    button = nbformat.v4.new_notebook()
    button.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    button.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "button = widgets.Button(description='Go')\n"
        "button.add_class('rr-bench-button')\n"
        "button")]
    nbformat.write(button, folder / "one_button.ipynb")


def _kernel_uss(page, voila: psutil.Process) -> int:
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    kernel_id = config["kernelId"]
    for child in voila.children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return child.memory_full_info().uss
        except psutil.Error:
            continue
    raise RuntimeError(f"kernel {kernel_id} not found among Voilà's processes")


def measure(browser, url: str, ready: str, voila: psutil.Process) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sizes = {"bytes": 0, "open": True}

    def count(payload) -> None:
        if sizes["open"]:
            sizes["bytes"] += len(payload.encode("utf-8") if isinstance(payload, str)
                                  else payload)

    def on_socket(ws) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framereceived", count)
            ws.on("framesent", count)

    page.on("websocket", on_socket)
    start = time.perf_counter()
    page.goto(url, timeout=120_000)
    field = page.locator(ready)
    field.wait_for(state="visible", timeout=120_000)
    while not field.is_enabled():
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    sizes["open"] = False
    time.sleep(0.5)  # let the kernel settle before weighing it
    uss = _kernel_uss(page, voila)
    context.close()
    time.sleep(1.0)  # the page's kernel shuts down as the page goes
    return {"seconds": elapsed, "websocket_bytes": sizes["bytes"], "uss_bytes": uss}


def run(runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    folder = Path(tempfile.mkdtemp(prefix="rr-bench-"))
    _notebooks(folder)
    database = str(folder / "bench.sqlite")
    Store.open(database).close()
    server = serving.Server(port=_free_port(), root=folder)
    process = serving.start(server, database, quiet=True)
    samples: dict[str, list[dict]] = {name: [] for name in PAGES}
    try:
        voila = psutil.Process(process.pid)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=CHROMIUM_ARGS, headless=True)
            for name, ready in PAGES.items():  # warm-up: caches, first imports from disk
                measure(browser, server.url(f"{name}.ipynb", "code=ABC123"), ready, voila)
            for _ in range(runs):
                for name, ready in PAGES.items():
                    samples[name].append(measure(
                        browser, server.url(f"{name}.ipynb", "code=ABC123"), ready, voila))
            browser.close()
    finally:
        serving.stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    return summarise(samples)


def summarise(samples: dict[str, list[dict]]) -> dict:
    med = {name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
           for name, runs in samples.items()}
    base, app = med["one_button"], med["participant"]
    checks = {
        "time_ratio": app["seconds"] / base["seconds"],
        "websocket_kib": app["websocket_bytes"] / 1024,
        "uss_ratio": app["uss_bytes"] / base["uss_bytes"],
    }
    return {"median": med, "checks": checks,
            "passed": {k: checks[k] <= TARGETS[k] if k != "websocket_kib"
                       else checks[k] < TARGETS[k] for k in TARGETS},
            "runs": samples}


def report(result: dict) -> str:
    lines = ["page           open->usable   websocket before   kernel USS"]
    for name, m in result["median"].items():
        lines.append(f"{name:<14} {m['seconds']:>9.2f} s {m['websocket_bytes'] / 1024:>12.1f} KiB"
                     f" {m['uss_bytes'] / 2**20:>9.1f} MiB")
    c, ok = result["checks"], result["passed"]
    lines.append(f"time ratio {c['time_ratio']:.2f} (target <= {TARGETS['time_ratio']}) "
                 f"{'ok' if ok['time_ratio'] else 'MISSED'}")
    lines.append(f"websocket {c['websocket_kib']:.1f} KiB (target < {TARGETS['websocket_kib']:.0f})"
                 f" {'ok' if ok['websocket_kib'] else 'MISSED'}")
    lines.append(f"USS ratio {c['uss_ratio']:.2f} (target <= {TARGETS['uss_ratio']}) "
                 f"{'ok' if ok['uss_ratio'] else 'MISSED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="loads of each page (median)")
    args = parser.parse_args(argv)
    result = run(args.runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "participant_page.json").write_text(json.dumps(result, indent=2))
    print(report(result))
    return 0 if all(result["passed"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
