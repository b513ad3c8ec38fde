// The host's WebSocket framing (docs/protocol.md, section 1): one binary WebSocket message
// per frame, a 4-byte little-endian message id followed by the protobuf payload. There is
// no length field: the WebSocket message carries the length.

/** Bytes of the id that starts every frame. */
export const FRAME_HEADER_BYTES = 4;

/** A decoded frame: the message id and the protobuf payload (a view, not a copy). */
export interface Frame {
  id: number;
  payload: Uint8Array;
}

/** One WebSocket message: `id` as a little-endian u32, then `payload`. */
export function encodeFrame(id: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`message id ${id} is not a u32`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, id, true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Splits one binary WebSocket message into its id and payload. */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView): Frame {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new RangeError(`a frame has at least ${FRAME_HEADER_BYTES} bytes, this one ${bytes.length}`);
  }
  const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  return { id, payload: bytes.subarray(FRAME_HEADER_BYTES) };
}
