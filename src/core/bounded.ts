import type { LoggedEvent } from './events.js';

// Rule state grows with the number of connections, never with the log: these keep it so.

/** Appends and drops the oldest past `max`: the latest few, for evidence. */
export function pushLatest<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Appends only while there is room: the earliest few. */
export function pushEarliest<T>(list: T[], item: T, max: number): void {
  if (list.length < max) list.push(item);
}

/**
 * The entry for `key`, made with `make` when new; undefined when the map is full and `key` is new
 * (a hostile log with a million random paths must not grow the state without bound).
 */
export function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V, max: number): V | undefined {
  let entry = map.get(key);
  if (entry === undefined) {
    if (map.size >= max) return undefined;
    entry = make();
    map.set(key, entry);
  }
  return entry;
}

/** Sets `key`, forgetting the entry set longest ago past `max`: the newest few, by insertion. */
export function setLatest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/** Where a logged event is, as one string: identity that survives a copy of the state. */
export function placeOf(logged: LoggedEvent): string {
  return `${logged.file}:${logged.line}`;
}

/** The later of two events by time; the one read last when they tie. */
export function later<T extends LoggedEvent>(a: T | undefined, b: T): T {
  return a === undefined || b.t >= a.t ? b : a;
}

/** Events by time, for evidence cited in order. */
export function byTime(a: LoggedEvent, b: LoggedEvent): number {
  return a.t - b.t;
}
