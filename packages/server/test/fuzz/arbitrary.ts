/**
 * fast-check arbitraries generated from the protocol's JSON Schemas (which
 * are generated from the Zod schemas), so the fuzzer's idea of a valid
 * message is the protocol's own, and changes with it.
 */
import fc from "fast-check";

type Schema = Record<string, any>;

export function fromSchema(schema: Schema): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map(fromSchema));
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t: string) => fromSchema({ ...schema, type: t })));
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case "string":
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case "array":
      return fc.array(schema.items ? fromSchema(schema.items) : fc.jsonValue(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case "object": {
      const properties: Record<string, Schema> = schema.properties ?? {};
      if (Object.keys(properties).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      const required: string[] = schema.required ?? [];
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, fromSchema(v)])),
        { requiredKeys: required },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Ways to break a valid value: a field of the wrong type, a missing field, junk added. */
export function mutate(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
  return fc.tuple(valid, fc.nat(), wrong, fc.constantFrom("retype", "drop")).map(([value, pick, replacement, how]) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return replacement;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0) return replacement;
    const key = keys[pick % keys.length]!;
    if (how === "drop") delete copy[key];
    else copy[key] = replacement;
    return copy;
  });
}
