// Seam's own JavaScript SDK (npm `seam`, pinned in package-lock.json) against a live Innkeeper,
// as a property-management system written in JavaScript would call it. Run by
// tests/seam/test_js_sdk.py with
//   SEAM_ENDPOINT    Innkeeper's API, e.g. http://127.0.0.1:8000/api
//   SEAM_API_KEY     an API key of the owner under test
//   SEAM_DEVICE_IDS  the owner's locks, comma-separated: a room's door, then the entrance
// The test sends the name of one step per line on stdin (and after a space, the JSON of what
// the step is given) (the lock confirms codes between steps,
// on the test's side); each is answered with one JSON line on stdout:
//   {"step": "create", "result": {...}}  or  {"step": "get", "error": {...}}
// The script keeps what a step made (the code's id) for the steps after it, and exits when stdin
// closes.
import { createInterface } from "node:readline";
import process from "node:process";

import {
  Seam,
  SeamHttpApiError,
  SeamHttpInvalidInputError,
  SeamHttpUnauthorizedError,
  SeamWebhook,
} from "seam";

const endpoint = process.env.SEAM_ENDPOINT;
const [door, entrance] = process.env.SEAM_DEVICE_IDS.split(",");
const seam = new Seam({ apiKey: process.env.SEAM_API_KEY, endpoint });
const made = {};

const summary = (code) => ({
  access_code_id: code.access_code_id,
  device_id: code.device_id,
  name: code.name,
  code: code.code,
  status: code.status,
  type: code.type,
  common_code_key: code.common_code_key ?? null,
});

const steps = {
  async create() {
    const code = await seam.accessCodes.create({
      device_id: door,
      name: "Anna Smith",
      code: "4826",
    });
    made.accessCodeId = code.access_code_id;
    return summary(code);
  },
  async get() {
    return summary(await seam.accessCodes.get({ access_code_id: made.accessCodeId }));
  },
  async list() {
    return (await seam.accessCodes.list({ device_id: door })).map(summary);
  },
  async update() {
    await seam.accessCodes.update({ access_code_id: made.accessCodeId, name: "Anna Jones" });
    return summary(await seam.accessCodes.get({ access_code_id: made.accessCodeId }));
  },
  async delete() {
    await seam.accessCodes.delete({ access_code_id: made.accessCodeId });
    return summary(await seam.accessCodes.get({ access_code_id: made.accessCodeId }));
  },
  async create_with_a_bad_pin() {
    return summary(await seam.accessCodes.create({ device_id: door, code: "12ab" }));
  },
  async list_with_an_unknown_key() {
    const stranger = new Seam({ apiKey: "seam_not_a_key_of_this_server", endpoint });
    return (await stranger.accessCodes.list({ device_id: door })).map(summary);
  },
  async create_multiple() {
    const codes = await seam.accessCodes.createMultiple({
      device_ids: [door, entrance],
      name: "Ben Jones",
      behavior_when_code_cannot_be_shared: "throw",
    });
    return codes.map(summary);
  },
  async webhooks_create() {
    const webhook = await seam.webhooks.create({
      url: "https://pms.example.com/seam-webhooks",
      event_types: ["access_code.set_on_device", "access_code.removed_from_device"],
    });
    return {
      webhook_id: webhook.webhook_id,
      url: webhook.url,
      event_types: webhook.event_types,
      secret: webhook.secret,
    };
  },

  // A webhook Innkeeper sent, checked by the SDK's own verifier: {secret, body, headers}.
  async verify_webhook({ secret, body, headers }) {
    const event = new SeamWebhook(secret).verify(body, headers);
    return { event_id: event.event_id, event_type: event.event_type };
  },
};

// The parameters whose validation messages an invalid_input error is asked for.
const PARAMS = ["access_code_id", "device_id", "device_ids", "code", "name", "url"];

// What a caller sees of an error: which of the SDK's error classes it is, and its fields.
const describe = (error) => {
  const classes = { SeamHttpApiError, SeamHttpInvalidInputError, SeamHttpUnauthorizedError };
  const described = {
    class: error.constructor.name,
    sdk_classes: Object.keys(classes).filter((name) => error instanceof classes[name]),
    code: error.code ?? null,
    status: error.statusCode ?? error.response?.status ?? null,
    message: String(error.message ?? error),
  };
  if (error instanceof SeamHttpInvalidInputError) {
    described.validation_errors = Object.fromEntries(
      PARAMS.map((param) => [param, error.getValidationErrorMessages(param)]).filter(
        ([, messages]) => messages.length > 0,
      ),
    );
  }
  return described;
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  // A step's name, and after a space the JSON of what it is given, if anything.
  const [step, given] = line.trim().split(/ (.*)/s);
  let answer;
  try {
    if (!(step in steps)) throw new Error(`no step named ${JSON.stringify(step)}`);
    answer = { step, result: await steps[step](given ? JSON.parse(given) : undefined) };
  } catch (error) {
    answer = { step, error: describe(error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
