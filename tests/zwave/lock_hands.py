"""The mock locks' own hands: what the tests make a lock do by itself (a PIN typed at its keypad,
a code deleted there, the node going dead, the server going away), through the stack's loopback
control endpoint. Innkeeper itself never talks to it: only to the real Z-Wave JS Server."""

import httpx


class LockHands:
    def __init__(self, control_url: str):
        self.base = control_url

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = httpx.request(method, self.base + path, json=body or {}, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def reset(self) -> None:
        self._call("POST", "/reset")

    def slots(self, node: int) -> dict[int, str]:
        """What the lock really holds: {slot: code} of the slots in use."""
        found = self._call("GET", f"/nodes/{node}/slots")["slots"]
        return {s["slot"]: _text(s["code"]) for s in found if s["status"] != "available"}

    def code_typed_in(self, node: int, slot: int, code: str) -> None:
        self._call("PUT", f"/nodes/{node}/slots/{slot}", {"code": code})

    def code_deleted_at_keypad(self, node: int, slot: int) -> None:
        self._call("POST", f"/nodes/{node}/slots/{slot}/delete", {})

    def keypad_entry(self, node: int, slot: int) -> None:
        self._call("POST", f"/nodes/{node}/keypad_entry", {"slot": slot})

    def wrong_code(self, node: int) -> None:
        self._call("POST", f"/nodes/{node}/invalid_code")

    def thumb_turn(self, node: int, *, lock: bool) -> None:
        self._call("POST", f"/nodes/{node}/{'manual_lock' if lock else 'manual_unlock'}")

    def door(self, node: int) -> str:
        nodes = self._call("GET", "/nodes")
        return next(n["door"] for n in nodes if n["node_id"] == node)

    def dead(self, node: int) -> None:
        self._call("POST", f"/nodes/{node}/dead")

    def alive(self, node: int) -> None:
        self._call("POST", f"/nodes/{node}/alive")

    def server_stop(self) -> None:
        self._call("POST", "/server/stop")

    def server_start(self) -> None:
        self._call("POST", "/server/start")


def _text(code) -> str:
    """A code as the mock keeps it: text, or the bytes a User Code Set brought (JSON Buffer)."""
    if isinstance(code, dict) and code.get("type") == "Buffer":
        return bytes(code["data"]).decode("ascii")
    return code
