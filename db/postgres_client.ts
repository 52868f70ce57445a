/**
 * One postgres.js client as Intake opens it (single connection, pinned value types, Nagle off: `tcp_socket.ts`),
 * and COPY over it; shared by the query pool and the COPY worker.
 *
 * @module
 */
import postgres from "postgres";
import type { Client, ClientFactory } from "./postgres_pool.ts";
import type net from "node:net";
import { isSingleTcpHost, noDelaySocket, type SocketTarget } from "./tcp_socket.ts";
import {
  ARRAY_TYPES,
  parseArrayLiteral,
  parsersByOid,
  serializeArray,
  VALUE_TYPES,
} from "./value_types.ts";

/** Makes single-connection clients of the server at `url`. */
export function clientFactory(url: string, connectTimeoutSeconds: number): ClientFactory {
  const options = {
    max: 1,
    connect_timeout: connectTimeoutSeconds,
    types: postgresJsTypes(),
    // Array types are pinned in `types`; looking them up would only cost a query per connection.
    fetch_types: false,
    // Notices ("table does not exist, skipping") are not errors; postgres.js logs them otherwise.
    onnotice: () => {},
    connection: { application_name: "intake" },
  };
  const tcp = isSingleTcpHost(url) ? noDelaySocket(connectTimeoutSeconds) : undefined;
  return (onClose) => {
    if (!tcp) return postgres(url, { ...options, onclose: onClose }) as unknown as Client;
    const held: { socket?: net.Socket } = {};
    // Not in postgres.js's declared options, though it documents and takes it.
    const socket = async (target: SocketTarget) => held.socket = await tcp(target);
    const client = postgres(url, {
      ...options,
      onclose: onClose,
      ...{ socket },
    }) as unknown as Client;
    sockets.set(client, held);
    return client;
  };
}

/** Each client's current socket, where Intake opened it (`noDelaySocket`). */
const sockets = new WeakMap<Client, { socket?: net.Socket }>();

/**
 * Streams `csv` into `COPY … FROM STDIN` and resolves once the server has accepted it all. Bytes
 * go to the socket as they are, where Intake opened it; the caller may reuse or free them then.
 */
export async function copyIn(
  client: Client,
  statement: string,
  csv: string | Uint8Array,
): Promise<void> {
  const query = client.unsafe(statement);
  // postgres.js settles the COPY query with the stream as soon as the server accepts the COPY,
  // so an error PostgreSQL reports once it has read the data (a bad row, a violated
  // constraint) reaches only query.reject, a no-op by then, and the stream never finishes.
  // Hooking it surfaces the error instead of hanging.
  const failed = new Promise<never>((_, reject) => {
    const hooked = query as unknown as { reject: (err: unknown) => void };
    const original = hooked.reject;
    hooked.reject = (err) => {
      reject(err);
      original(err);
    };
  });
  failed.catch(() => {}); // settles only on failure; awaited below where it matters
  const stream = await Promise.race([query.writable(), failed]);
  const finished = new Promise<void>((resolve, reject) => {
    stream.once("finish", resolve);
    stream.once("error", reject);
  });
  const socket = sockets.get(client)?.socket;
  if (socket && typeof csv !== "string") {
    // One CopyData message, written as it is: postgres.js would copy the bytes into a new buffer
    // of its own, garbage the size of the batch that waits for a collection.
    const header = new Uint8Array(5);
    header[0] = 0x64; // "d"
    new DataView(header.buffer).setUint32(1, csv.byteLength + 4);
    socket.write(header);
    socket.write(csv);
    stream.end();
  } else stream.end(csv);
  await Promise.race([finished, failed]);
}

/** postgres.js type definitions built from the shared value-type tables. */
function postgresJsTypes(): Record<string, postgres.PostgresType> {
  const types: Record<string, postgres.PostgresType> = {};
  for (const type of VALUE_TYPES) {
    // Without `serialize` postgres.js keeps its own serializers for these OIDs; its type
    // definition insists on one, hence the cast.
    types[type.name] = {
      to: type.oids[type.oids.length - 1],
      from: [...type.oids],
      parse: type.parse,
      ...(type.serialize ? { serialize: type.serialize } : {}),
    } as unknown as postgres.PostgresType;
  }
  const parsers = parsersByOid();
  for (const [arrayOid, elementOid] of ARRAY_TYPES) {
    const parseElement = parsers[elementOid] ?? ((text: string) => text);
    types[`intake_array_${arrayOid}`] = {
      to: arrayOid,
      from: [arrayOid],
      parse: (text: string) => parseArrayLiteral(text, parseElement),
      serialize: serializeArray,
    };
  }
  return types;
}

let crashGuardInstalled = false;

/**
 * Last line of defence against postgres.js writing to a connection whose socket is gone
 * (porsager/postgres#1208; `postgres_pool.ts` avoids the known ways in): the TypeError is thrown
 * from a timer, where no caller can catch it, and would end the process. Only that exact error
 * is swallowed.
 */
export function guardAgainstNullSocketCrash(): void {
  if (crashGuardInstalled || typeof globalThis.addEventListener !== "function") return;
  crashGuardInstalled = true;
  globalThis.addEventListener("error", (event) => {
    const error = (event as ErrorEvent).error;
    if (
      error instanceof TypeError &&
      /reading 'write'|evaluating 'socket\.write'/.test(error.message) &&
      /nextWrite/.test(error.stack ?? "") && /postgres/.test(error.stack ?? "")
    ) {
      event.preventDefault();
      console.error("postgres.js wrote to a closed connection; the write was dropped", error);
    }
  });
}
