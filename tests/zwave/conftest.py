from tests.zwave.stack import zwave_stack, zwave_stack_server  # noqa: F401 (fixtures)
