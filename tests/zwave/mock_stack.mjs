// The real Z-Wave JS stack for the zwave_js driver's tests, in one process:
//   a mock Z-Wave controller with mock door locks (@zwave-js/testing, the mocks zwave-js's own
//   integration tests use), the real zwave-js Driver on the mock serial port, and the real
//   Z-Wave JS Server (@zwave-js/server) on a loopback port: what a driver connects to.
// Beside it, a loopback HTTP control endpoint lets the tests make a lock act by itself (a PIN
// typed at its keypad, a code deleted there, the lock going dead, the server going away) and
// read what the lock really holds. See CONTROL below; tests/zwave/stack.py drives it.
//
// When ready it prints one JSON line on stdout:
//   {"ready": true, "ws_port": N, "ws_url": "ws://127.0.0.1:N", "control_port": M, "nodes": [2, 3]}
// It stops when stdin closes (the test run's end), so it never outlives it; with
// ZWAVE_STACK_KEEP=1 (`make zwave-mock`) only on Ctrl-C or SIGTERM.
// Environment: ZWAVE_WS_PORT / ZWAVE_CONTROL_PORT (default: free ports); ZWAVE_STACK_LOG=FILE
// writes zwave-js's debug log there (and the server's log on stderr).
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import process from "node:process";

const require = createRequire(import.meta.url);
const { NodeStatus } = require("zwave-js");
const { createAndStartDriverWithMockPort } = require("zwave-js/Testing");
const { createDefaultMockControllerBehaviors, createDefaultMockNodeBehaviors } =
  require("zwave-js/Utils");
const { MockController, MockNode, MockZWaveFrameType, createMockZWaveRequestFrame } =
  require("@zwave-js/testing");
const { CommandClasses } = require("@zwave-js/core");
const cc = require("@zwave-js/cc");
const { ZwavejsServer } = require("@zwave-js/server");

const HOST = "127.0.0.1";
const HOME_ID = 0x7e570001;
const CONTROLLER_ID = 1;

// The mock locks: real device IDs, so zwave-js's device database names them.
const LOCKS = [
  {
    id: 2, // Schlage (Allegion) BE469 Touchscreen Deadbolt
    manufacturerId: 0x003b,
    productType: 0x6341,
    productId: 0x5044,
    slots: 30,
    battery: 90,
  },
  {
    id: 3, // Yale YRD226 Assure: a small lock, to fill up
    manufacturerId: 0x0129,
    productType: 0x8002,
    productId: 0x46d2,
    slots: 5,
    battery: 15,
  },
];

// Notification CC: Access Control (6) and Home Security (7) events the locks report.
const ACCESS_CONTROL = 0x06;
const HOME_SECURITY = 0x07;
const EVENTS = {
  manualLock: 0x01,
  manualUnlock: 0x02,
  rfLock: 0x03,
  rfUnlock: 0x04,
  keypadLock: 0x05,
  keypadUnlock: 0x06,
  singleCodeDeleted: 0x0d,
  newCodeAdded: 0x0e,
  duplicateCode: 0x0f, // "New user code not added due to duplicate code"
  keypadDisabled: 0x10, // after too many wrong codes
  invalidCode: 0x04, // Home Security: "Tampering, invalid code"
};

const UNSECURED = 0x00;
const SECURED = 0xff;
const log = (message) => process.stderr.write(`[zwave-stack] ${message}\n`);

// ---- the locks' own behaviours the mocks of this zwave-js version lack --------------------

const State = {
  userIdStatus: (slot) => `UserCode_userIdStatus_${slot}`, // the keys zwave-js's mock uses
  userCode: (slot) => `UserCode_userCode_${slot}`,
  doorMode: "innkeeper_doorMode",
  dead: "innkeeper_dead",
  battery: "innkeeper_battery",
  slotCount: "innkeeper_slotCount",
};

function request(frame, type) {
  return frame.type === MockZWaveFrameType.Request && frame.payload instanceof type;
}

function rawCC(self, bytes) {
  // Reports whose classes here can only be parsed, not built from options: from their bytes.
  return cc.CommandClass.from(self.host, {
    nodeId: CONTROLLER_ID,
    data: Buffer.from(bytes),
  });
}

function doorLockReport(self) {
  const mode = self.state.get(State.doorMode) ?? SECURED;
  // mode, handles (all 4 outside + inside can open), door condition: door closed (bit 0 set),
  // bolt locked (bit 1 clear) or unlocked (set), latch closed (bit 2 set); no timeout.
  const bolt = mode === SECURED ? 0 : 0b010;
  return rawCC(self, [CommandClasses["Door Lock"], 0x03, mode, 0xff, 0b101 | bolt, 0xfe, 0xfe]);
}

async function send(self, payload) {
  await self.sendToController(createMockZWaveRequestFrame(payload, { ackRequested: false }));
}

function notification(self, type, event, parameters) {
  return new cc.NotificationCCReport(self.host, {
    nodeId: CONTROLLER_ID,
    notificationType: type,
    notificationEvent: event,
    ...(parameters ? { eventParameters: Buffer.from(parameters) } : {}),
  });
}

const silentWhenDead = {
  // A dead lock hears nothing and answers nothing (the controller gets no ACK either).
  onControllerFrame(controller, self) {
    return self.state.get(State.dead) === true;
  },
};

const battery = {
  async onControllerFrame(controller, self, frame) {
    if (!request(frame, cc.BatteryCCGet)) return false;
    const level = self.state.get(State.battery);
    await send(self, new cc.BatteryCCReport(self.host, { nodeId: CONTROLLER_ID, level }));
    return true;
  },
};

const version = {
  // The lock's firmware and Z-Wave library (Version Get): zwave-js asks during the interview.
  async onControllerFrame(controller, self, frame) {
    if (!request(frame, cc.VersionCCGet)) return false;
    const report = new cc.VersionCCReport(self.host, {
      nodeId: CONTROLLER_ID,
      libraryType: 3, // Enhanced 232 end node
      protocolVersion: "4.61",
      firmwareVersions: [self.capabilities.firmwareVersion],
    });
    await send(self, report);
    return true;
  },
};

const notificationStatus = {
  // Notification Get: nothing pending (idle), as a lock answers when asked.
  async onControllerFrame(controller, self, frame) {
    if (!request(frame, cc.NotificationCCGet)) return false;
    const type = frame.payload.notificationType ?? ACCESS_CONTROL;
    await send(self, notification(self, type, 0x00));
    return true;
  },
};

const refuseDuplicateCodes = {
  // A real lock refuses a PIN that another slot already holds: it stores nothing and says so
  // (Access Control "New user code not added due to duplicate code"). zwave-js's mock stores it.
  async onControllerFrame(controller, self, frame) {
    if (!request(frame, cc.UserCodeCCSet) || frame.payload.userIdStatus === 0) return false;
    const code = Buffer.from(frame.payload.userCode).toString("ascii");
    const slot = frame.payload.userId;
    for (let other = 1; other <= (self.state.get(State.slotCount) ?? 0); other++) {
      if (other !== slot && (self.state.get(State.userIdStatus(other)) ?? 0) !== 0
          && codeIn(self, other) === code) {
        await send(self, notification(self, ACCESS_CONTROL, EVENTS.duplicateCode));
        return true;
      }
    }
    return false;
  },
};

// zwave-js 12 cannot parse a Door Lock Operation Set (it only ever sends one), but a mock lock
// must read it: register a parsing subclass for that command, used only where frames are parsed
// (the mock's side; the driver builds its own Sets with the real class).
class DoorLockOperationSetAtTheLock extends cc.DoorLockCC {
  constructor(host, options) {
    super(host, options);
    this.mode = this.payload[0];
  }
}
cc.CCCommand(cc.DoorLockCommand.OperationSet)(DoorLockOperationSetAtTheLock);

const doorLock = {
  async onControllerFrame(controller, self, frame) {
    if (request(frame, cc.DoorLockCCOperationGet)) {
      await send(self, doorLockReport(self));
      return true;
    }
    if (request(frame, cc.DoorLockCCConfigurationGet)) {
      // Constant operation, all handles can open the door, no lock timeout.
      const bytes = [CommandClasses["Door Lock"], 0x06, 0x01, 0xff, 0xfe, 0xfe];
      await send(self, rawCC(self, bytes));
      return true;
    }
    if (request(frame, DoorLockOperationSetAtTheLock)) {
      // Locked or unlocked from Z-Wave (RF): the lock says so, as real ones do.
      const secured = frame.payload.mode === SECURED;
      self.state.set(State.doorMode, secured ? SECURED : UNSECURED);
      const event = secured ? EVENTS.rfLock : EVENTS.rfUnlock;
      await send(self, notification(self, ACCESS_CONTROL, event));
      await send(self, doorLockReport(self));
      return true;
    }
    return false;
  },
};

// ---- the network --------------------------------------------------------------------------

function lockCapabilities(lock) {
  return {
    manufacturerId: lock.manufacturerId,
    productType: lock.productType,
    productId: lock.productId,
    firmwareVersion: "1.0",
    // Battery-powered locks listen every second or so (FLiRS): never asleep, woken by a beam.
    isListening: false,
    isFrequentListening: "1000ms",
    genericDeviceClass: 0x40, // Entry Control
    specificDeviceClass: 0x03, // Secure Keypad Door Lock
    commandClasses: [
      { ccId: CommandClasses["Manufacturer Specific"], version: 2 },
      { ccId: CommandClasses.Version, version: 2 },
      { ccId: CommandClasses["Z-Wave Plus Info"], version: 2 },
      { ccId: CommandClasses.Battery, version: 1 },
      { ccId: CommandClasses["Door Lock"], version: 2 },
      {
        ccId: CommandClasses["User Code"],
        // Version 1, as the BE469 itself: with version 2, zwave-js 12 clears a slot with an
        // Extended User Code Set, which its mock controller cannot decode.
        version: 1,
        numUsers: lock.slots,
        supportsMasterCode: false,
        supportsUserCodeChecksum: false,
        supportedASCIIChars: "0123456789",
        supportedUserIDStatuses: [0, 1, 2],
        supportedKeypadModes: [0],
      },
      {
        ccId: CommandClasses.Notification,
        version: 8,
        supportsV1Alarm: false,
        notificationTypesAndEvents: {
          [ACCESS_CONTROL]: [
            EVENTS.manualLock,
            EVENTS.manualUnlock,
            EVENTS.rfLock,
            EVENTS.rfUnlock,
            EVENTS.keypadLock,
            EVENTS.keypadUnlock,
            EVENTS.singleCodeDeleted,
            EVENTS.newCodeAdded,
            EVENTS.duplicateCode,
            EVENTS.keypadDisabled,
          ],
          [HOME_SECURITY]: [EVENTS.invalidCode],
        },
      },
    ],
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const cacheDir = mkdtempSync(join(tmpdir(), "innkeeper-zwave-"));
// zwave-js's network cache is this run's only: gone at exit, a crash's included.
process.on("exit", () => rmSync(cacheDir, { recursive: true, force: true }));
const logFile = process.env.ZWAVE_STACK_LOG || "";
const debug = logFile !== "";

const { driver, continueStartup, mockPort } = await createAndStartDriverWithMockPort({
  portAddress: "/tty/INNKEEPER",
  logConfig: debug
    ? { enabled: true, level: "debug", logToFile: true, filename: logFile, forceConsole: false }
    : { enabled: false },
  storage: { cacheDir, lockDir: join(cacheDir, "locks") },
  testingHooks: { skipBootloaderCheck: true },
});

const controller = new MockController({
  homeId: HOME_ID,
  ownNodeId: CONTROLLER_ID,
  serial: mockPort,
});
controller.defineBehavior(...createDefaultMockControllerBehaviors());
const mocks = new Map();
for (const lock of LOCKS) {
  const node = new MockNode({ id: lock.id, controller, capabilities: lockCapabilities(lock) });
  node.state.set(State.doorMode, SECURED);
  node.state.set(State.battery, lock.battery);
  node.state.set(State.slotCount, lock.slots);
  controller.addNode(node);
  // Later behaviours come first: ours over the defaults, a dead lock's silence over everything.
  node.defineBehavior(...createDefaultMockNodeBehaviors());
  node.defineBehavior(version, notificationStatus, battery, doorLock, refuseDuplicateCodes);
  node.defineBehavior(silentWhenDead);
  mocks.set(lock.id, { node, lock });
}

const allReady = new Promise((resolve) => driver.once("all nodes ready", resolve));
const driverReady = new Promise((resolve) => driver.once("driver ready", resolve));
continueStartup();
await driverReady;
await allReady;

const wsPort = Number(process.env.ZWAVE_WS_PORT) || (await freePort());
const quietLogger = {
  error: (message, error) => log(`server error: ${message} ${error ?? ""}`),
  warn: (message) => debug && log(`server: ${message}`),
  info: (message) => debug && log(`server: ${message}`),
  debug: (message) => debug && log(`server: ${message}`),
};
let server = null;

async function serverStart() {
  if (server) return;
  server = new ZwavejsServer(driver, { port: wsPort, host: HOST, logger: quietLogger });
  await server.start(true);
}

async function serverStop() {
  if (!server) return;
  const stopping = server;
  server = null;
  await stopping.destroy();
}

await serverStart();

// ---- CONTROL: what the tests make the locks do ---------------------------------------------
// Every answer is JSON; errors are {"error": "..."} with status 400 or 404.
//   GET  /nodes                           [{"node_id", "slots", "status", "door"}] as the locks are
//   GET  /nodes/{id}/slots                {"slots": [{"slot", "status", "code"}]} the lock's memory
//                                         (status "available" | "enabled" | "disabled")
//   PUT  /nodes/{id}/slots/{slot}         {"code": "1234", "report": true}: a code typed in at the
//                                         lock itself (an unmanaged code); report: the lock tells
//   POST /nodes/{id}/slots/{slot}/delete  {"report": true}: the code deleted at the keypad
//   POST /nodes/{id}/keypad_entry         {"slot": 3}: that slot's PIN typed, the door unlocks
//   POST /nodes/{id}/keypad_lock          {"slot": 3}: locked from the keypad
//   POST /nodes/{id}/invalid_code         a wrong PIN typed
//   POST /nodes/{id}/keypad_disabled      too many wrong PINs: the keypad locks itself out
//   POST /nodes/{id}/manual_unlock        the thumb-turn, from inside; manual_lock likewise
//   POST /nodes/{id}/dead                 the lock stops answering; Z-Wave JS marks it dead
//   POST /nodes/{id}/alive                it answers again (and says so); marked alive
//   POST /nodes/{id}/battery              {"level": 10}: the lock reports its battery
//   POST /server/stop                     Z-Wave JS Server goes away (its websocket closes)
//   POST /server/start                    and comes back on the same port
//   POST /reset                           every lock blank, locked, alive; the server up

const STATUS = { 0: "available", 1: "enabled", 2: "disabled" };

function mockOf(id) {
  const mock = mocks.get(Number(id));
  if (!mock) throw new HttpError(404, `no mock lock with node id ${id}`);
  return mock;
}

function slotOf(mock, value) {
  const slot = Number(value);
  if (!Number.isInteger(slot) || slot < 1 || slot > mock.lock.slots) {
    throw new HttpError(400, `slot must be 1..${mock.lock.slots}, not ${value}`);
  }
  return slot;
}

function codeIn(node, slot) {
  // zwave-js's mock keeps a code as the Set carried it: a Buffer of ASCII digits.
  const code = node.state.get(State.userCode(slot));
  if (code === undefined || code === null) return null;
  return Buffer.isBuffer(code) ? code.toString("ascii") : String(code);
}

function slots({ node, lock }) {
  const answer = [];
  for (let slot = 1; slot <= lock.slots; slot++) {
    const status = node.state.get(State.userIdStatus(slot)) ?? 0;
    const code = status === 0 ? null : codeIn(node, slot);
    answer.push({ slot, status: STATUS[status] ?? String(status), code });
  }
  return answer;
}

function driverNode(id) {
  return driver.controller.nodes.getOrThrow(Number(id));
}

async function reportSlot(node, slot) {
  const status = node.state.get(State.userIdStatus(slot)) ?? 0;
  const code = status === 0 ? "" : (node.state.get(State.userCode(slot)) ?? "");
  await send(
    node,
    new cc.UserCodeCCReport(node.host, {
      nodeId: CONTROLLER_ID,
      userId: slot,
      userIdStatus: status,
      userCode: code,
    }),
  );
}

async function unlocked(node, mode, type, event, parameters) {
  node.state.set(State.doorMode, mode);
  await send(node, notification(node, type, event, parameters));
  await send(node, doorLockReport(node));
}

async function settle() {
  // Unsolicited frames reach the driver asynchronously: let it handle them before answering,
  // so that a test's next look at the server sees what the lock said.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function waitForStatus(id, wanted) {
  const node = driverNode(id);
  for (let i = 0; i < 100 && node.status !== wanted; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (node.status !== wanted) throw new HttpError(500, `node ${id} did not become ${wanted}`);
}

async function makeDead(mock) {
  mock.node.state.set(State.dead, true);
  mock.node.autoAckControllerFrames = false;
  // Z-Wave JS notices when it next talks to the lock: ping it now, so the tests see "dead".
  await driverNode(mock.lock.id).ping();
  await waitForStatus(mock.lock.id, NodeStatus.Dead);
}

async function makeAlive(mock) {
  mock.node.state.delete(State.dead);
  mock.node.autoAckControllerFrames = true;
  // A lock coming back speaks first: any frame from it brings it back to life in Z-Wave JS.
  const level = mock.node.state.get(State.battery);
  await send(mock.node, new cc.BatteryCCReport(mock.node.host, { nodeId: CONTROLLER_ID, level }));
  await waitForStatus(mock.lock.id, NodeStatus.Alive);
}

async function reset() {
  await serverStart();
  for (const mock of mocks.values()) {
    if (mock.node.state.get(State.dead)) await makeAlive(mock);
    mock.node.state.set(State.doorMode, SECURED);
    mock.node.state.set(State.battery, mock.lock.battery);
    const node = driverNode(mock.lock.id);
    // A keypad that locked itself out is back (Access Control idle for "Keypad state").
    const keypad = node.getValue({
      commandClass: CommandClasses.Notification,
      property: "Access Control",
      propertyKey: "Keypad state",
    });
    if (keypad !== undefined && keypad !== 0) {
      const idle = notification(mock.node, ACCESS_CONTROL, 0x00, [EVENTS.keypadDisabled]);
      await send(mock.node, idle);
    }
    const battery = node.getValue({ commandClass: CommandClasses.Battery, property: "level" });
    if (battery !== mock.lock.battery) {
      const level = mock.lock.battery;
      const report = new cc.BatteryCCReport(mock.node.host, { nodeId: CONTROLLER_ID, level });
      await send(mock.node, report);
    }
    for (let slot = 1; slot <= mock.lock.slots; slot++) {
      const held = mock.node.state.get(State.userIdStatus(slot)) ?? 0;
      mock.node.state.delete(State.userIdStatus(slot));
      mock.node.state.delete(State.userCode(slot));
      // What Z-Wave JS knew of the slot goes too: it asks the lock again.
      const known = node.getValue({
        commandClass: CommandClasses["User Code"],
        property: "userIdStatus",
        propertyKey: slot,
      });
      if (held !== 0 || (known !== undefined && known !== 0)) {
        await node.commandClasses["User Code"].get(slot);
      }
    }
    await node.commandClasses["Door Lock"].get();
  }
  await settle();
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const routes = [
  ["GET", /^\/nodes$/, () =>
    [...mocks.values()].map((mock) => ({
      node_id: mock.lock.id,
      slots: mock.lock.slots,
      status: driverNode(mock.lock.id).status === NodeStatus.Dead ? "dead" : "alive",
      door: mock.node.state.get(State.doorMode) === SECURED ? "locked" : "unlocked",
    }))],
  ["GET", /^\/nodes\/(\d+)\/slots$/, (_, id) => ({ slots: slots(mockOf(id)) })],
  ["PUT", /^\/nodes\/(\d+)\/slots\/(\d+)$/, async (body, id, value) => {
    const mock = mockOf(id);
    const slot = slotOf(mock, value);
    const code = String(body.code ?? "");
    if (!/^\d{4,10}$/.test(code)) throw new HttpError(400, "code must be 4 to 10 digits");
    mock.node.state.set(State.userIdStatus(slot), 1);
    mock.node.state.set(State.userCode(slot), code);
    if (body.report !== false) {
      await send(mock.node, notification(mock.node, ACCESS_CONTROL, EVENTS.newCodeAdded));
      await reportSlot(mock.node, slot);
      await settle();
    }
    return { slot, status: "enabled" };
  }],
  ["POST", /^\/nodes\/(\d+)\/slots\/(\d+)\/delete$/, async (body, id, value) => {
    const mock = mockOf(id);
    const slot = slotOf(mock, value);
    mock.node.state.delete(State.userIdStatus(slot));
    mock.node.state.delete(State.userCode(slot));
    if (body.report !== false) {
      await send(mock.node, notification(mock.node, ACCESS_CONTROL, EVENTS.singleCodeDeleted));
      await reportSlot(mock.node, slot);
      await settle();
    }
    return { slot, status: "available" };
  }],
  ["POST", /^\/nodes\/(\d+)\/keypad_entry$/, async (body, id) => {
    const mock = mockOf(id);
    const slot = slotOf(mock, body.slot);
    await unlocked(mock.node, UNSECURED, ACCESS_CONTROL, EVENTS.keypadUnlock, [slot]);
    await settle();
    return { slot, door: "unlocked" };
  }],
  ["POST", /^\/nodes\/(\d+)\/keypad_lock$/, async (body, id) => {
    const mock = mockOf(id);
    const slot = slotOf(mock, body.slot);
    await unlocked(mock.node, SECURED, ACCESS_CONTROL, EVENTS.keypadLock, [slot]);
    await settle();
    return { slot, door: "locked" };
  }],
  ["POST", /^\/nodes\/(\d+)\/invalid_code$/, async (_, id) => {
    const { node } = mockOf(id);
    await send(node, notification(node, HOME_SECURITY, EVENTS.invalidCode));
    await settle();
    return {};
  }],
  ["POST", /^\/nodes\/(\d+)\/keypad_disabled$/, async (_, id) => {
    const { node } = mockOf(id);
    await send(node, notification(node, ACCESS_CONTROL, EVENTS.keypadDisabled));
    await settle();
    return {};
  }],
  ["POST", /^\/nodes\/(\d+)\/manual_unlock$/, async (_, id) => {
    await unlocked(mockOf(id).node, UNSECURED, ACCESS_CONTROL, EVENTS.manualUnlock);
    await settle();
    return { door: "unlocked" };
  }],
  ["POST", /^\/nodes\/(\d+)\/manual_lock$/, async (_, id) => {
    await unlocked(mockOf(id).node, SECURED, ACCESS_CONTROL, EVENTS.manualLock);
    await settle();
    return { door: "locked" };
  }],
  ["POST", /^\/nodes\/(\d+)\/dead$/, async (_, id) => {
    await makeDead(mockOf(id));
    return { status: "dead" };
  }],
  ["POST", /^\/nodes\/(\d+)\/alive$/, async (_, id) => {
    await makeAlive(mockOf(id));
    return { status: "alive" };
  }],
  ["POST", /^\/nodes\/(\d+)\/battery$/, async (body, id) => {
    const { node } = mockOf(id);
    const level = Number(body.level);
    if (!Number.isInteger(level) || level < 0 || level > 100) {
      throw new HttpError(400, "level must be 0..100");
    }
    node.state.set(State.battery, level);
    await send(node, new cc.BatteryCCReport(node.host, { nodeId: CONTROLLER_ID, level }));
    await settle();
    return { level };
  }],
  ["POST", /^\/server\/stop$/, async () => {
    await serverStop();
    return { server: "stopped" };
  }],
  ["POST", /^\/server\/start$/, async () => {
    await serverStart();
    return { server: "started" };
  }],
  ["POST", /^\/reset$/, async () => {
    await reset();
    return { reset: true };
  }],
];

async function readBody(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
}

// One request at a time: the tests act on the locks in order, never concurrently.
let queue = Promise.resolve();

const control = createServer((req, res) => {
  queue = queue.then(async () => {
    let status = 200;
    let answer;
    try {
      const path = new URL(req.url, "http://x").pathname;
      const route = routes.find(([method, pattern]) => method === req.method && pattern.test(path));
      if (!route) throw new HttpError(404, `no ${req.method} ${path}`);
      const body = await readBody(req);
      answer = await route[2](body, ...path.match(route[1]).slice(1));
    } catch (error) {
      status = error.status ?? 500;
      answer = { error: String(error.message ?? error) };
    }
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(answer));
  });
});
const controlPort = Number(process.env.ZWAVE_CONTROL_PORT) || 0;
await new Promise((resolve) => control.listen(controlPort, HOST, resolve));

process.stdout.write(
  JSON.stringify({
    ready: true,
    ws_port: wsPort,
    ws_url: `ws://${HOST}:${wsPort}`,
    control_port: control.address().port,
    nodes: LOCKS.map((lock) => lock.id),
  }) + "\n",
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  control.close();
  await serverStop().catch(() => {});
  // The locks fall silent first, so that nothing answers into a closed serial port.
  for (const { node } of mocks.values()) node.state.set(State.dead, true);
  controller.destroy();
  await driver.destroy().catch(() => {});
  process.exit(0);
}
// The tests' fixture holds stdin open and closes it to stop the stack; `make zwave-mock` runs
// it without (ZWAVE_STACK_KEEP=1), so that it stays up in the background too.
if (!process.env.ZWAVE_STACK_KEEP) {
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
