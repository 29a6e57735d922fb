/**
 * Which classes and tags have kuberdd codec extensions. The encoder's pre-pass must leave
 * instances of these classes alone (their extension encodes them), and tags must stay unique.
 */
export const codecExtensionRegistry = {
  /** Classes with an extension; instances of subclasses use the same extension, as in cbor-x. */
  classes: [] as Function[],
  /** Tag → the class (or internal marker) it belongs to. */
  tags: new Map<number, Function>(),

  isExtensionInstance(value: object): boolean {
    const classes = this.classes;
    for (let i = 0; i < classes.length; i++) if (value instanceof classes[i]!) return true;
    return false;
  },
};
