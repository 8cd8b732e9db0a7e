// Fold states are plain data with Maps and Sets (findings.ts): this turns them into JSON and back,
// so the doctor can cache the state it reached after the immutable rotated log files.

const mapTag = '$map';
const setTag = '$set';

export function encodeState(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return { [mapTag]: [...v.entries()] };
    if (v instanceof Set) return { [setTag]: [...v.values()] };
    return v;
  });
}

/** The state encodeState wrote; throws on text that is not JSON (a cache that does not parse is ignored). */
export function decodeState(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    const record = v as Record<string, unknown>;
    if (keys[0] === mapTag && Array.isArray(record[mapTag])) return new Map(record[mapTag] as Array<[unknown, unknown]>);
    if (keys[0] === setTag && Array.isArray(record[setTag])) return new Set(record[setTag] as unknown[]);
    return v;
  });
}
