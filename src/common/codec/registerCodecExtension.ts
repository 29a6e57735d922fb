import { addExtension } from 'cbor-x';
import type { Extension } from 'cbor-x';
import { KuberddError } from '../errors/KuberddError.js';
import { codecExtensionRegistry } from './codecExtensionRegistry.js';
import { CodecTag } from './codecTags.js';
import { escapeForCbor } from './escapeForCbor.js';

/** How to carry instances of one class through the codec. */
export interface CodecExtensionSpec<T> {
  /** The class; instances of subclasses are encoded by this extension too (and decode as `type`). */
  type: new (...args: any[]) => T;
  /** A CBOR tag from kuberdd's reserved range 40000–40100 (see CodecTag; 40000–40019 are the codec's own). */
  tag: number;
  /** Turns an instance into data the codec can encode (anything `encode` accepts, including other extension types). */
  encode(value: T): unknown;
  /** Rebuilds an instance from what `encode` returned (after a round trip). */
  decode(data: any): T;
}

/**
 * Teaches the codec (encode/decode in codec.ts) a class, in this process. Both the encoding and
 * the decoding process must register it, so do it at module load of the module defining the
 * class. Registering the same class under the same tag again replaces its functions; a tag
 * outside 40000–40100 or already taken by another class throws KuberddError `CODEC_TAG`.
 */
export function registerCodecExtension<T>(spec: CodecExtensionSpec<T>): void {
  const { type, tag } = spec;
  if (!Number.isInteger(tag) || tag < CodecTag.FIRST || tag > CodecTag.LAST) {
    throw new KuberddError('CODEC_TAG', `codec extension for ${type.name}: tag ${tag} is outside kuberdd's reserved range ${CodecTag.FIRST}–${CodecTag.LAST}`);
  }
  const owner = codecExtensionRegistry.tags.get(tag);
  if (owner !== undefined && owner !== type) {
    throw new KuberddError('CODEC_TAG', `codec extension for ${type.name}: tag ${tag} is already used by ${owner.name}`);
  }
  for (const [otherTag, otherType] of codecExtensionRegistry.tags) {
    if (otherType === type && otherTag !== tag) {
      throw new KuberddError('CODEC_TAG', `codec extension for ${type.name}: already registered with tag ${otherTag}, cannot also use ${tag}`);
    }
  }
  codecExtensionRegistry.tags.set(tag, type);
  if (!codecExtensionRegistry.classes.includes(type)) codecExtensionRegistry.classes.push(type);
  const extension = {
    Class: type,
    tag,
    encode(value: T, write: (data: unknown) => Uint8Array): void {
      // The encoder's pre-pass does not look inside extension instances, so escape their data here.
      write(escapeForCbor(spec.encode(value)));
    },
    decode: (data: unknown): T => spec.decode(data),
  };
  addExtension(extension as unknown as Extension<T, unknown>);
}
