import { describe, expect, it } from "vitest";
import { fieldKind, orderedProperties, parseNumber, withKey } from "./schemaFields";

describe("fieldKind", () => {
  it("gives the common cases their control and the rest JSON", () => {
    expect(fieldKind({ enum: ["manual", "webhook"] })).toBe("enum");
    expect(fieldKind({ type: "string", maxLength: 200 })).toBe("string");
    expect(fieldKind({ type: "string", maxLength: 32768 })).toBe("text");
    expect(fieldKind({ type: "number" })).toBe("number");
    expect(fieldKind({ type: "integer" })).toBe("integer");
    expect(fieldKind({ type: "boolean" })).toBe("boolean");
    expect(fieldKind({ type: "array", items: { type: "string" } })).toBe("string-list");
    expect(fieldKind({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false })).toBe("object");
    expect(fieldKind({ type: "object", additionalProperties: { type: "string" } })).toBe("json");
    expect(fieldKind({ type: ["string", "integer"] })).toBe("json");
    expect(fieldKind({})).toBe("json");
  });
});

describe("form helpers", () => {
  it("orders required properties first", () => {
    const schema = { properties: { a: {}, b: {}, c: {} }, required: ["c"] };
    expect(orderedProperties(schema).map(([k]) => k)).toEqual(["c", "a", "b"]);
  });
  it("parses numbers, empty as absent, junk as null", () => {
    expect(parseNumber("", false)).toBeUndefined();
    expect(parseNumber("1.5", false)).toBe(1.5);
    expect(parseNumber("1.5", true)).toBeNull();
    expect(parseNumber("abc", false)).toBeNull();
  });
  it("sets and removes keys", () => {
    expect(withKey({ a: 1 }, "b", 2)).toEqual({ a: 1, b: 2 });
    expect(withKey({ a: 1 }, "a", undefined)).toEqual({});
    expect(withKey(undefined, "a", 1)).toEqual({ a: 1 });
  });
});
