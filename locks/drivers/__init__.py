"""Lock drivers: the only code that talks to a lock (or a lock vendor's cloud).

A registry maps a driver key to a dotted class path, imported lazily; adding a driver is one
class and one line here.
"""

from django.utils.module_loading import import_string

from locks.drivers.base import CodeOnLock, CodeSpec, DeviceInfo, DriverError, LockDriver

DRIVERS = {
    "simulated": "locks.drivers.simulated.SimulatedDriver",
    "seam": "locks.drivers.seam.SeamDriver",
    "zwave_js": "locks.drivers.zwave_js.ZWaveJSDriver",
}

DRIVER_LABELS = {
    "simulated": "Simulated lock",
    "seam": "Lock connected to Seam",
    "zwave_js": "Z-Wave lock (Z-Wave JS)",
}


def get_driver(key: str, **options) -> LockDriver:
    """An instance of the driver `key`; `options` carry what it needs (credentials, `now`)."""
    try:
        path = DRIVERS[key]
    except KeyError:
        raise DriverError(f"No lock driver called “{key}” is installed.", permanent=True) from None
    return import_string(path)(**options)


__all__ = [
    "CodeOnLock",
    "CodeSpec",
    "DeviceInfo",
    "DriverError",
    "LockDriver",
    "DRIVERS",
    "DRIVER_LABELS",
    "get_driver",
]
