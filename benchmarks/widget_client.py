"""A page without a browser: open a Voilà page and talk to its kernel the way the page does.

Used by the room simulator (``benchmarks/room.py``) and by the tests that play a raw client.
Built on ``websocket-client`` (a dependency of jupyter_server) and on jupyter_server's and
jupyter_client's own message helpers, so no framing or message format is written here.

The protocol points relied on, all from the Jupyter messaging spec and ipywidgets 8:

* ``GET /voila/render/NAME.ipynb`` runs the notebook and answers a page whose page config holds
  ``"kernelId": "<uuid>"``; the kernel stays alive for the page.
* The kernel websocket is ``/api/kernels/<id>/channels?session_id=<any>``. With the
  ``v1.kernel.websocket.jupyter.org`` subprotocol every frame is binary: 8-byte little-endian
  offset count, the offsets, the channel name, then header / parent header / metadata /
  content / buffers (``serialize_msg_to_ws_v1``). Without it ("legacy"), frames are JSON text,
  or binary with 4-byte big-endian counts when a message carries buffers.
* Widgets: a ``comm_open`` to target ``jupyter.widget.control`` (metadata ``{"version":
  "1.0.0"}``, or the kernel refuses it) followed by a ``comm_msg`` of
  ``{"method": "request_states"}`` answers ``{"method": "update_states", "states": {...}}``
  with every live model. New models arrive as ``comm_open`` (target ``jupyter.widget``) with
  ``{"state": ...}``; changes as ``comm_msg`` with ``{"method": "update" | "echo_update"}``.
* The page changes a model with ``comm_msg`` ``{"method": "update", "state": {...},
  "buffer_paths": []}`` and clicks a button with ``{"method": "custom", "content":
  {"event": "click"}}``. Selection widgets (Dropdown, ToggleButtons) sync ``index``, not
  ``value``; a ``DatePicker`` value is ``{"year", "month" (0-based), "date"}``.
* Links made with ``jsdlink``/``jslink`` (``DirectionalLinkModel``/``LinkModel``, state
  ``source``/``target`` = ``["IPY_MODEL_<id>", "attr"]``) run in the page: when the source
  attribute changes, the page sets the target and sends that update to the kernel (a
  ``LinkModel`` both ways). This client does the same; without it a kernel that waits for
  the echo (the kit's phase banner) never hears back.
* Containers hold their children as ``"IPY_MODEL_<id>"`` strings in ``children``; a widget
  dropped from a container keeps its model (no ``comm_close``), so :meth:`Page.within`
  searches what is on screen now, under one container.
* The kernel publishes ``status`` ``{"execution_state": "idle"}`` on iopub with the
  handled message as parent once it has finished handling it: :meth:`Page.settled` waits
  for that, so a click's handler (and any save it does) has run.
* On ``beforeunload`` the page POSTs a form with one field, ``_xsrf`` (the ``_xsrf``
  cookie's value, empty when there is none), to ``/voila/api/shutdown/<kernel_id>`` with
  ``navigator.sendBeacon``, then closes the kernel websocket (:meth:`Page.leave`).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import websocket
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

V1 = "v1.kernel.websocket.jupyter.org"
CONTROL_VERSION = "1.0.0"  # ipywidgets' control comm protocol, sent as the comm_open metadata
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
LINKS = ("DirectionalLinkModel", "LinkModel")
REF = "IPY_MODEL_"


class PageError(RuntimeError):
    """The page or its kernel did not answer as a page expects."""


@dataclass
class Model:
    """One widget model as the page holds it."""

    id: str
    state: dict

    @property
    def classes(self) -> list[str]:
        return list(self.state.get("_dom_classes") or [])


@dataclass
class Page:
    """One open page: its kernel connection and the widget models it has seen."""

    url: str
    legacy: bool = False  # speak the legacy protocol (what a plain websocket client does)
    timeout: float = 60.0
    kernel_id: str = ""
    models: dict[str, Model] = field(default_factory=dict)
    messages: int = 0
    cookies: CookieJar = field(default_factory=CookieJar)
    _ws: websocket.WebSocket | None = None
    _session: Session = field(default_factory=lambda: Session(key=b"", username="room"))
    settled_ids: set[str] = field(default_factory=set)
    _listeners: list[Callable[[str, dict], None]] = field(default_factory=list)

    # -- opening -----------------------------------------------------------------------------
    def get(self) -> str:
        """GET the page (Voilà runs the notebook) and read its kernel id."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        with opener.open(self.url, timeout=self.timeout) as response:
            html = response.read().decode("utf-8", "replace")
        found = KERNEL_ID.search(html)
        if not found:
            raise PageError(f"no kernel id in {self.url} (the server may be full)")
        self.kernel_id = found.group(1)
        return html

    def connect(self) -> None:
        """Open the kernel websocket (v1 unless ``legacy``)."""
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        prefix = parts.path.split("/voila/render/")[0]
        ws_url = (f"{scheme}://{parts.netloc}{prefix}/api/kernels/{self.kernel_id}/channels"
                  f"?session_id={uuid.uuid4().hex}")
        options = {} if self.legacy else {"subprotocols": [V1]}
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        self._ws = websocket.create_connection(ws_url, timeout=self.timeout, cookie=cookie,
                                               **options)

    def open(self) -> Page:
        """GET, connect and load every widget's state, as the page does on load."""
        self.get()
        self.connect()
        self.request_states()
        return self

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    def beacon(self) -> int:
        """POST the shutdown request the page sends on unload; the HTTP status."""
        parts = urlsplit(self.url)
        prefix = parts.path.split("/voila/render/")[0]
        url = f"{parts.scheme}://{parts.netloc}{prefix}/voila/api/shutdown/{self.kernel_id}"
        xsrf = next((c.value for c in self.cookies if c.name == "_xsrf"), "")
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="_xsrf"\r\n\r\n'
                f"{xsrf}\r\n--{boundary}--\r\n").encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def leave(self) -> int:
        """Close the tab: the shutdown beacon, then the websocket closed cleanly."""
        status = self.beacon()
        self.close()
        return status

    def drop(self) -> None:
        """Vanish without a goodbye, like a phone that loses the network."""
        if self._ws is not None:
            self._ws.sock.close()
            self._ws = None

    # -- messages ----------------------------------------------------------------------------
    def send(self, msg_type: str, content: dict, channel: str = "shell",
             metadata: dict | None = None) -> str:
        msg = self._session.msg(msg_type, content, metadata=metadata)
        if self.legacy:
            msg["channel"] = channel
            self._ws.send(json.dumps(msg, default=str))
        else:
            frame = serialize_msg_to_ws_v1(msg, channel, pack=self._session.pack)
            self._ws.send_binary(frame)
        return msg["header"]["msg_id"]

    def comm(self, comm_id: str, data: dict) -> str:
        """Send ``data`` to the model ``comm_id``; the message's id (see :meth:`settled`)."""
        return self.send("comm_msg", {"comm_id": comm_id, "data": data})

    def request_states(self) -> None:
        """Ask the kernel for every widget model (the page's first act)."""
        deadline = time.monotonic() + self.timeout
        while True:  # a kernel still starting may drop the first ask ("No such comm"): ask again
            control = uuid.uuid4().hex
            self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                    "data": {}}, metadata={"version": CONTROL_VERSION})
            self.comm(control, {"method": "request_states"})
            try:
                self.until(lambda: bool(self.models), min(5.0, deadline - time.monotonic()),
                           what="the widgets' states")
                return
            except PageError:
                if time.monotonic() >= deadline:
                    raise

    def set(self, model_id: str, **state) -> str:
        self.models[model_id].state.update(state)
        sent = self.comm(model_id, {"method": "update", "state": state, "buffer_paths": []})
        self._follow_links(model_id, state)
        return sent

    def click(self, model_id: str) -> str:
        return self.comm(model_id, {"method": "custom", "content": {"event": "click"}})

    def settled(self, msg_id: str, timeout: float | None = None) -> float:
        """Wait until the kernel has finished handling the message ``msg_id``."""
        return self.until(lambda: msg_id in self.settled_ids, timeout,
                          what="the kernel to handle a message")

    def receive(self, timeout: float) -> tuple[str, dict] | None:
        """One message from the kernel, or None when none came within ``timeout``."""
        self._ws.settimeout(timeout)
        try:
            frame = self._ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        if not frame:  # websocket-client's answer once the server has closed the socket
            raise PageError("the server closed the kernel connection")
        self.messages += 1
        channel, msg = self._decode(frame)
        self._track(msg)
        for listener in self._listeners:
            listener(channel, msg)
        return channel, msg

    def _decode(self, frame: bytes | str) -> tuple[str, dict]:
        if isinstance(frame, str):
            msg = json.loads(frame)
            return msg.get("channel", ""), msg
        if self.legacy:  # legacy binary: only messages with buffers; their JSON is enough here
            count = int.from_bytes(frame[:4], "big")
            start, stop = (int.from_bytes(frame[4 * i:4 * i + 4], "big") for i in (1, 2))
            msg = json.loads(frame[start:stop] if count > 1 else frame[start:])
            return msg.get("channel", ""), msg
        channel, parts = deserialize_msg_from_ws_v1(frame)
        header, parent, metadata, content = (json.loads(p) for p in parts[:4])
        return channel, {"header": header, "parent_header": parent, "metadata": metadata,
                         "content": content, "buffers": parts[4:]}

    def _track(self, msg: dict) -> None:
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content") or {}
        data = content.get("data") or {}
        if kind == "status" and content.get("execution_state") == "idle":
            self.settled_ids.add(msg.get("parent_header", {}).get("msg_id", ""))
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = Model(content["comm_id"], dict(data["state"]))
            self._bind(self.models[content["comm_id"]])
        elif kind == "comm_msg" and data.get("method") == "update_states":
            for model_id, entry in data["states"].items():
                self.models[model_id] = Model(model_id, dict(entry["state"]))
            for model in list(self.models.values()):
                self._bind(model)
        elif kind == "comm_msg" and data.get("method") in ("update", "echo_update"):
            model = self.models.get(content["comm_id"])
            if model is not None:
                model.state.update(data.get("state") or {})
                if data["method"] == "update":
                    self._follow_links(model.id, data.get("state") or {})
        elif kind == "comm_close":
            self.models.pop(content.get("comm_id"), None)

    # -- links the page runs -----------------------------------------------------------------
    def _ends(self, link: Model) -> tuple[tuple[str, str], tuple[str, str]] | None:
        try:
            (source, s_attr), (target, t_attr) = link.state["source"], link.state["target"]
        except (KeyError, TypeError, ValueError):
            return None
        return (source.removeprefix(REF), s_attr), (target.removeprefix(REF), t_attr)

    def _bind(self, link: Model) -> None:
        """A new link copies its source to its target at once, as the page does."""
        ends = self._ends(link) if link.state.get("_model_name") in LINKS else None
        if ends and ends[0][0] in self.models:
            (source, attr), _ = ends
            self._follow_links(source, {attr: self.models[source].state.get(attr)}, link)

    def _follow_links(self, model_id: str, changed: dict, only: Model | None = None) -> None:
        for link in [only] if only else list(self.models.values()):
            ends = self._ends(link) if link.state.get("_model_name") in LINKS else None
            if not ends:
                continue
            pairs = [ends] if link.state["_model_name"] == LINKS[0] else [ends, ends[::-1]]
            for (source, s_attr), (target, t_attr) in pairs:
                model = self.models.get(target)
                if source != model_id or s_attr not in changed or model is None:
                    continue
                if model.state.get(t_attr) != changed[s_attr]:
                    model.state[t_attr] = changed[s_attr]
                    self.comm(target, {"method": "update", "state": {t_attr: changed[s_attr]},
                                       "buffer_paths": []})

    def until(self, done: Callable[[], bool], timeout: float | None = None,
              what: str = "an answer") -> float:
        """Read messages until ``done()``; the seconds it took. PageError after ``timeout``."""
        start = time.monotonic()
        deadline = start + (self.timeout if timeout is None else timeout)
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise PageError(f"waited {time.monotonic() - start:.1f} s for {what}")
            self.receive(min(left, 1.0))
        return time.monotonic() - start

    def pump(self, seconds: float) -> None:
        """Keep reading for a while, as an idle page does."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.receive(min(left, 0.5))

    # -- finding widgets ---------------------------------------------------------------------
    def find(self, css: str, **state) -> Model | None:
        """The first model with this CSS class (and these state values), if any."""
        for model in list(self.models.values()):
            if css in model.classes and all(model.state.get(k) == v for k, v in state.items()):
                return model
        return None

    def find_all(self, css: str) -> list[Model]:
        return [m for m in list(self.models.values()) if css in m.classes]

    def children(self, model: Model) -> list[Model]:
        refs = model.state.get("children") or []
        return [self.models[r.removeprefix(REF)] for r in refs
                if isinstance(r, str) and r.removeprefix(REF) in self.models]

    def descendants(self, model: Model) -> list[Model]:
        """Every model shown under ``model`` now (its children, theirs, and so on)."""
        found, todo = [], self.children(model)
        while todo:
            one = todo.pop(0)
            found.append(one)
            todo.extend(self.children(one))
        return found

    def within(self, root: Model | None, css: str, **state) -> Model | None:
        """The first model under ``root`` with this CSS class (and these state values)."""
        if root is None:
            return None
        return next((m for m in self.descendants(root) if css in m.classes and all(
            m.state.get(k) == v for k, v in state.items())), None)

    def wait_for(self, css: str, timeout: float | None = None, **state) -> Model:
        self.until(lambda: self.find(css, **state) is not None, timeout, what=f".{css}")
        return self.find(css, **state)

    def text(self) -> str:
        """Every HTML/Label value the page holds, to look for words a person would read."""
        return "\n".join(str(m.state.get("value", "")) for m in list(self.models.values())
                         if m.state.get("_model_name") in ("HTMLModel", "LabelModel"))
