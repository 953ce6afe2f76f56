// Seam's fake server for the seam driver's tests: started as its own `--seed` bin does, plus
// what its HTTP API lacks for the tests' setup. The fake never advances a code's status (the
// real service does once the lock confirms), and its /_fake/database PUT replaces the whole
// store, actions included, which breaks it. So the tests send commands as JSON lines on stdin:
//   {"command": "reset"}                                 back to the seeded state
//   {"command": "update_access_code", "access_code_id": "...", "status": "set"}
//   {"command": "add_event", "event_type": "lock.unlocked", "device_id": "...", ...}
// The last is what Seam records when a lock reports something at its door: the fake has no
// keypad to type at (its unlock_door and lock_door do record their own events).
// Each is answered with one line on stdout: "ok <command>" or "error <message>".
// The server stops when stdin closes, so it never outlives the test run.
import { createInterface } from "node:readline";
import process from "node:process";

import { createFake } from "@seamapi/fake-seam-connect";

const fake = await createFake();
await fake.seed();
const seeded = await fake.toJSON();
await fake.startServer({ port: Number(process.env.PORT) });

const commands = {
  reset: () => fake.loadJSON(seeded),
  update_access_code: ({ command, ...fields }) => fake.database.updateAccessCode(fields),
  add_event: ({ command, ...fields }) => fake.database.addEvent(fields),
};

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  try {
    const request = JSON.parse(line);
    await commands[request.command](request);
    process.stdout.write(`ok ${request.command}\n`);
  } catch (error) {
    process.stdout.write(`error ${String(error.message ?? error).split("\n")[0]}\n`);
  }
});
lines.on("close", async () => {
  await fake.stopServer();
  process.exit(0);
});
