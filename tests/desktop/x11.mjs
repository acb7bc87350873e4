// Closes a window as a window manager's close button does: a WM_DELETE_WINDOW ClientMessage
// (ICCCM) sent to it over the X11 protocol. Xvfb runs no window manager, and none of the X
// tools the tests install sends this message, so this speaks the few requests it needs
// itself: connection setup (with the MIT-MAGIC-COOKIE-1 from $XAUTHORITY, as xvfb-run sets
// up), InternAtom twice, SendEvent, and GetInputFocus as a round trip proving the server took it.

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { createConnection } from "node:net";
import { join } from "node:path";

/** The MIT-MAGIC-COOKIE-1 for display `number` in the Xauthority file, if any. */
function cookie(number) {
  const path = process.env.XAUTHORITY ?? join(homedir(), ".Xauthority");
  let data;
  try {
    data = readFileSync(path);
  } catch {
    return null;
  }
  let at = 0;
  const field = () => {
    const length = data.readUInt16BE(at);
    const value = data.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return value;
  };
  while (at + 2 <= data.length) {
    at += 2; // family
    field(); // address
    const display = field().toString();
    const name = field().toString();
    const secret = field();
    if (name === "MIT-MAGIC-COOKIE-1" && (display === String(number) || display === "")) return secret;
  }
  return null;
}

const pad4 = (n) => (4 - (n % 4)) % 4;

/** A connection that answers requests in order: `request(bytes, replyLength)` resolves to the
 * reply (or to nothing for requests without one). */
async function connect() {
  const match = /^[^:]*:(\d+)/.exec(process.env.DISPLAY ?? "");
  if (!match) throw new Error(`DISPLAY is not a local display: ${process.env.DISPLAY}`);
  const socket = createConnection(`/tmp/.X11-unix/X${match[1]}`);
  let buffer = Buffer.alloc(0);
  const waiting = [];
  const pump = () => {
    while (waiting.length > 0) {
      const { length, resolve, reject } = waiting[0];
      if (buffer.length < length) return;
      waiting.shift();
      const reply = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      if (reply[0] === 0) reject(new Error(`X11 error ${reply[1]} for request ${reply[10]}`));
      else resolve(reply);
    }
  };
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    pump();
  });
  const failed = new Promise((_, reject) => socket.on("error", reject));
  failed.catch(() => {});
  await Promise.race([new Promise((resolve) => socket.once("connect", resolve)), failed]);

  const auth = cookie(match[1]);
  const name = auth ? Buffer.from("MIT-MAGIC-COOKIE-1") : Buffer.alloc(0);
  const secret = auth ?? Buffer.alloc(0);
  const setup = Buffer.alloc(12 + name.length + pad4(name.length) + secret.length + pad4(secret.length));
  setup.write("l", 0); // little-endian
  setup.writeUInt16LE(11, 2);
  setup.writeUInt16LE(name.length, 6);
  setup.writeUInt16LE(secret.length, 8);
  name.copy(setup, 12);
  secret.copy(setup, 12 + name.length + pad4(name.length));
  socket.write(setup);
  // The setup reply: 8 bytes, then 4 × its length field.
  const head = await new Promise((resolve, reject) => {
    waiting.push({ length: 8, resolve, reject: () => reject(new Error("X11 connection refused")) });
    pump();
  });
  if (head[0] !== 1) throw new Error("X11 connection refused (authorization?)");
  await new Promise((resolve, reject) => {
    waiting.push({ length: head.readUInt16LE(6) * 4, resolve, reject });
    pump();
  });

  return {
    request(bytes, replyLength) {
      socket.write(bytes);
      if (!replyLength) return Promise.resolve();
      return Promise.race([
        new Promise((resolve, reject) => {
          waiting.push({ length: replyLength, resolve, reject });
          pump();
        }),
        failed,
      ]);
    },
    close: () => socket.end(),
  };
}

async function internAtom(x, name) {
  const bytes = Buffer.from(name);
  const request = Buffer.alloc(8 + bytes.length + pad4(bytes.length));
  request[0] = 16; // InternAtom
  request.writeUInt16LE(request.length / 4, 2);
  request.writeUInt16LE(bytes.length, 4);
  bytes.copy(request, 8);
  const reply = await x.request(request, 32);
  return reply.readUInt32LE(8);
}

/** Asks window `id` (a number or "0x…" string) to close, as a window manager's close button. */
export async function closeWindow(id) {
  const window = typeof id === "string" ? Number.parseInt(id, 16) : id;
  const x = await connect();
  try {
    const protocols = await internAtom(x, "WM_PROTOCOLS");
    const deleteWindow = await internAtom(x, "WM_DELETE_WINDOW");
    const request = Buffer.alloc(44);
    request[0] = 25; // SendEvent, propagate = false
    request.writeUInt16LE(11, 2);
    request.writeUInt32LE(window, 4);
    request.writeUInt32LE(0, 8); // event mask: none (to the window's owner)
    request[12] = 33; // ClientMessage
    request[13] = 32; // format
    request.writeUInt32LE(window, 16);
    request.writeUInt32LE(protocols, 20);
    request.writeUInt32LE(deleteWindow, 24);
    request.writeUInt32LE(0, 28); // CurrentTime
    await x.request(request);
    const focus = Buffer.alloc(4);
    focus[0] = 43; // GetInputFocus: its reply proves the SendEvent was processed
    focus.writeUInt16LE(1, 2);
    await x.request(focus, 32);
  } finally {
    x.close();
  }
}
