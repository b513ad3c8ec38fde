import { create, fromBinary, toBinary, type DescMessage, type Message, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

import { encodeFrame, type Frame } from "./framing.js";
import { MESSAGE_TABLE } from "./gen/ids.js";

const byId = new Map<number, (typeof MESSAGE_TABLE)[number]>();
const idByType = new Map<string, number>();
for (const e of MESSAGE_TABLE) {
  byId.set(e.id, e);
  idByType.set(e.typeName, e.id);
}

/** The message id of a protobuf message type (from the server's protocol.hpp tables). */
export function messageIdOf(schema: DescMessage): number {
  const id = idByType.get(schema.typeName);
  if (id === undefined) throw new Error(`${schema.typeName} has no message id`);
  return id;
}

/** The protobuf message type of a message id, or undefined for an id the client does not know. */
export function schemaOfId(id: number): DescMessage | undefined {
  return byId.get(id)?.schema;
}

/** "host" or the plugin that declares the id. */
export function ownerOfId(id: number): string | undefined {
  return byId.get(id)?.plugin;
}

/** Encodes a message as one frame: its id, then the protobuf payload. */
export function encodeMessage<D extends DescMessage>(schema: D, init: MessageInitShape<D>): Uint8Array {
  const message = create(schema, init) as MessageShape<D>;
  return encodeFrame(messageIdOf(schema), toBinary(schema, message));
}

/** A decoded incoming frame. `message` is undefined for an id the client does not know. */
export interface DecodedFrame {
  id: number;
  typeName: string | undefined;
  message: Message | undefined;
}

/** Decodes a frame's payload as the message type its id stands for. Throws on a bad payload. */
export function decodeMessage(frame: Frame): DecodedFrame {
  const e = byId.get(frame.id);
  if (!e) return { id: frame.id, typeName: undefined, message: undefined };
  return { id: frame.id, typeName: e.typeName, message: fromBinary(e.schema, frame.payload) };
}
