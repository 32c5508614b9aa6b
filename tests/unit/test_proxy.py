"""``reset-workshop proxy-config`` and ``status``: the configs HAProxy and nginx accept, the
affinity and failover they carry, and what the operator sees, with no server running."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from workshop import capacity, cli, proxy
from workshop.errors import InvalidInput

REPLICAS = "127.0.0.1:8001,127.0.0.1:8002"


def _render(kind: str, **options) -> str:
    return proxy.render(kind, proxy.parse_replicas(REPLICAS), **options)


def test_haproxy_pins_a_browser_by_cookie_and_fails_over():
    text = _render("haproxy", public_url="http://workshop.example.org:8080")
    assert "bind *:8080" in text  # the public URL's port
    assert 'cookie rr_replica insert indirect nocache httponly attr "SameSite=Lax"' in text
    assert "server replica1 127.0.0.1:8001 check cookie replica1" in text
    assert "server replica2 127.0.0.1:8002 check cookie replica2" in text
    assert "option redispatch" in text and "timeout tunnel 1h" in text
    assert "balance source" not in text  # a room shares one address
    assert "path_beg /reset-workshop/" in text  # the servers' figures stay on their machine


def test_nginx_makes_its_own_affinity_cookie_and_passes_websockets():
    text = _render("nginx", public_url="https://workshop.example.org", tls_cert="/etc/ws.pem")
    assert "hash $rr_route consistent;" in text
    assert '""      $request_id;' in text  # a browser without the cookie gets a random route
    assert "rr_replica=$request_id; Path=/; HttpOnly; SameSite=Lax; Secure" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "listen 443 ssl;" in text and "server_name workshop.example.org;" in text
    assert "server 127.0.0.1:8002 max_fails=1 fail_timeout=10s;" in text


def test_a_base_url_prefixes_the_health_check_and_the_closed_figures():
    text = _render("haproxy", base_url="workshop", listen="127.0.0.1:9000")
    assert "bind 127.0.0.1:9000" in text
    assert "GET /workshop/voila/templates/reset-workshop/static/reset.css" in text
    assert "path_beg /workshop/reset-workshop/" in text
    assert "location /workshop/ {" in _render("nginx", base_url="/workshop/")


@pytest.mark.skipif(not shutil.which("haproxy"), reason="HAProxy is not installed")
def test_haproxy_accepts_the_config(tmp_path):
    path = tmp_path / "haproxy.cfg"
    assert cli.main(["proxy-config", "--replicas", REPLICAS, "--listen", "127.0.0.1:18080",
                     "-o", str(path)]) == 0
    checked = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path):
    site = tmp_path / "reset-workshop.conf"
    assert cli.main(["proxy-config", "--kind", "nginx", "--replicas", REPLICAS,
                     "--listen", "127.0.0.1:18081", "-o", str(site)]) == 0
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{\n access_log off;\n include {site};\n}}\n")
    checked = subprocess.run(["nginx", "-t", "-c", str(main), "-p", str(tmp_path), "-e",
                              "stderr"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(("replicas", "says"), [
    ("", "at least one HOST:PORT"),
    ("127.0.0.1", "'127.0.0.1' is not HOST:PORT"),
    ("127.0.0.1:70000", "70000 is not a port number"),
    ("a:1,a:1", "a:1 is given twice"),
])
def test_bad_replicas_are_one_line_and_exit_1(replicas, says, capsys):
    assert cli.main(["proxy-config", "--replicas", replicas]) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


def test_ipv6_replicas_and_a_bad_public_url():
    replica = proxy.parse_replicas("[::1]:8001")[0]
    assert replica.address == "[::1]:8001"
    with pytest.raises(InvalidInput, match="not an http"):
        _render("haproxy", public_url="workshop.example.org")


class _Figures(BaseHTTPRequestHandler):
    answer = b'{"kernels": 3, "starting": 1, "connected": 2, "max_kernels": 120}'

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/reset-workshop/kernels" else 404)
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def figures_server():
    server = HTTPServer(("127.0.0.1", 0), _Figures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def test_status_shows_each_replica_and_says_which_is_down(figures_server, capsys):
    down = "127.0.0.1:1"
    assert cli.main(["status", "--replicas", f"{figures_server},{down}"]) == 1
    out, err = capsys.readouterr()
    rows = out.splitlines()
    assert rows[0].split() == ["replica", "pages", "connected", "starting", "cap", "memory",
                               "per", "page"]
    assert rows[1].split()[:5] == [figures_server, "3", "2", "1", "120"]
    assert rows[2].split()[:4] == [down, "down:", "not", "answering"]
    assert rows[3].split()[:4] == ["all", "3", "2", "1"]
    assert "Machine:" in out and "117 more by the kernel caps" in out
    assert err.strip() == f"reset-workshop: error: 1 of 2 replica(s) did not answer: {down}"


def test_headroom_counts_pages_by_memory_and_by_cap():
    mib = capacity.MIB
    up = capacity.ReplicaStatus("a:1", {"kernels": 4, "max_kernels": 10},
                                memory=500 * mib, server_memory=100 * mib)
    room = capacity.headroom([up], capacity.Machine(total=8000 * mib, available=1000 * mib))
    assert room == {"page_bytes": 100 * mib, "by_memory": 10, "by_cap": 6}
