/**
 * CBOR tags reserved for kuberdd's own types: 40000–40100 (unassigned in the IANA registry,
 * chosen to avoid cbor-x's own tags). The codec uses 40000–40019 itself; other layers take
 * theirs from 40020–40100 through registerCodecExtension. Tags are part of the on-disk and
 * on-wire format: never reuse or renumber one.
 */
export const CodecTag = {
  /** -0, which cbor-x would otherwise write as the integer 0. */
  NegativeZero: 40000,
  /** A string with lone surrogates, as UTF-16LE bytes (CBOR text must be valid UTF-8). */
  Utf16String: 40001,
  /** A plain object whose keys cbor-x cannot carry (`__proto__`, lone surrogates), as [k, v, k, v, …]. */
  EntriesObject: 40002,
  /** A Date whose time the standard tag 1 (float seconds) would round, as integer milliseconds. */
  DateMillis: 40003,
  /** A KeyMap, as [k, v, k, v, …]. */
  KeyMap: 40004,
  FIRST: 40000,
  FIRST_FOR_OTHER_LAYERS: 40020,
  LAST: 40100,
} as const;
