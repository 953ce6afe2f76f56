"""The mock Z-Wave network as the tests see it: its server's address, its two locks' device ids
(a Schlage BE469 with 30 slots, node 2; a Yale Assure with 5, node 3) and the locks' own hands.
Each test starts from a blank network (`/reset`: every slot free, locked, alive, server up)."""

from dataclasses import dataclass

from locks.drivers import get_driver
from locks.models import DriverAccount
from tests.zwave.lock_hands import LockHands

BIG, SMALL = 2, 3  # node ids


@dataclass
class Network:
    url: str
    hands: LockHands
    home_id: int

    def device_id(self, node: int) -> str:
        return f"{self.home_id}:{node}"

    def driver(self):
        return get_driver("zwave_js", url=self.url)

    def account(self, owner) -> DriverAccount:
        return DriverAccount.objects.create(
            owner=owner,
            driver="zwave_js",
            name="Z-Wave network",
            account_ref=str(self.home_id),
            credentials={"url": self.url},
        )


def network_of(stack) -> Network:
    hands = LockHands(stack.control_url)
    hands.reset()
    url = stack.ws_url
    return Network(url=url, hands=hands, home_id=get_driver("zwave_js", url=url).home_id())
