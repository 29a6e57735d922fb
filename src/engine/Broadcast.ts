import { toClosureRef, type ClosureRef, type Shippable } from '../common/closure/shippable.js';
import { UserInputError } from '../common/errors/UserInputError.js';

/**
 * A read-only value shipped to each executor once, lazily (the first task there that uses it
 * fetches it). Put it in a function's environment and read `.value` inside the function.
 */
export class Broadcast<T> implements Shippable {
  #destroyed = false;

  constructor(
    readonly id: number,
    private readonly read: () => T,
    private readonly release: (id: number, destroy: boolean) => Promise<void> = async () => {},
  ) {}

  get value(): T {
    if (this.#destroyed) throw new UserInputError(`broadcast ${this.id} was destroyed; it cannot be used any more`);
    return this.read();
  }

  /** Drops executor copies; the value is fetched again if used later. */
  async unpersist(): Promise<void> {
    await this.release(this.id, false);
  }

  /** Drops every copy, the driver's too; any later use is an error. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    await this.release(this.id, true);
  }

  [toClosureRef](): ClosureRef {
    return { $ref: 'broadcast', id: this.id };
  }

  toString(): string {
    return `Broadcast(${this.id})`;
  }
}
