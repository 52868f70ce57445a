import { assert, assertEquals, assertMatch, assertRejects } from "../assert.ts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import manifest from "../../fresh.gen.ts";
import { apiPath } from "../../server/openapi.ts";
import { appTest } from "../app_harness.ts";
import { checkAnswer, document } from "../openapi_conformance.ts";

type Json = Record<string, unknown>;
const V1 = "./routes/api/v1/";
const paths = document.paths as Record<string, Record<string, Json>>;

appTest(
  "GET /api/v1/openapi.json serves the document, which an OpenAPI 3.1 validator accepts",
  async (app) => {
    const res = await app.fetch("/api/v1/openapi.json");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/json");
    const served = await app.json(res);
    assertEquals(served, document);
    const result = await new Validator().validate(structuredClone(served));
    assert(result.valid, JSON.stringify(result.errors));
    assertEquals(served.openapi, "3.1.0");
  },
);

Deno.test("the OpenAPI validator refuses a document that breaks the specification", async () => {
  const broken = structuredClone(document) as { paths: Record<string, Record<string, Json>> };
  delete (broken.paths["/api/v1/runs/{id}"].get.parameters as Json[])[0].in;
  const result = await new Validator().validate(broken);
  assertEquals(result.valid, false);
});

// The OpenAPI validator leaves Schema Objects alone: each is checked against JSON Schema 2020-12.
Deno.test("every schema in the document is valid JSON Schema 2020-12", () => {
  const ajv = new Ajv2020({ strict: false });
  const schemas: unknown[] = [];
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "schema") schemas.push(inner);
      else walk(inner);
    }
  };
  walk(document.paths);
  schemas.push(...Object.values((document.components as Json).schemas as Json));
  assert(schemas.length > 80, `only ${schemas.length} schemas`);
  for (const schema of schemas) {
    assert(ajv.validateSchema(schema as Json), ajv.errorsText() + JSON.stringify(schema));
  }
  assertEquals(ajv.validateSchema({ type: "objekt" }), false);
});

Deno.test("openApiDocument() has every v1 route file, with the methods its handler serves", () => {
  const files = Object.keys(manifest.routes).filter((file) => file.startsWith(V1));
  assertEquals(files.length, Object.keys(paths).length);
  for (const file of files) {
    const route = manifest.routes[file as keyof typeof manifest.routes] as { handler?: object };
    const served = Object.keys(route.handler ?? {}).map((m) => m.toLowerCase()).sort();
    assertEquals(Object.keys(paths[apiPath(file)] ?? {}).sort(), served, file);
  }
});

Deno.test("openApiDocument() reads the routes' query parameters and body schemas", () => {
  const rows = paths["/api/v1/runs/{id}/rows"].get.parameters as Json[];
  assertEquals(rows[0].in, "path");
  const limit = rows.find((p) => p.name === "limit");
  assertEquals(limit?.in, "query");
  assertEquals(limit?.schema, { type: "integer", minimum: 1, maximum: 1000 });
  const action = rows.find((p) => p.name === "action")?.schema as Json;
  assertEquals(action.enum, ["new", "changed", "unchanged", "invalid", "deleted"]);
  const body = paths["/api/v1/runs/{id}/rows/{row}"].patch.requestBody as Json;
  const schema = (body.content as Record<string, Json>)["application/json"].schema as Json;
  assertEquals(schema.required, ["cells"]);
  assertEquals(schema.additionalProperties, false);
  const commit = paths["/api/v1/runs/{id}/commit"].post.responses as Record<string, Json>;
  assertEquals(Object.keys(commit), ["200", "400", "401", "403", "404", "409", "500", "503"]);
  assertEquals(
    commit["409"].description,
    "`conflict`, `constraint_violation`, `nothing_to_commit`, `stale_review`",
  );
});

Deno.test("checkAnswer() refuses answers the document does not describe", async (t) => {
  const url = "http://x/api/v1/upload-types/facilities";
  const json = (body: unknown, status = 200, headers?: HeadersInit) =>
    Response.json(body, { status, headers });
  const type = {
    name: "facilities",
    label: "Facilities",
    description: "",
    table: "facilities",
    key: ["facility_id"],
    writeMode: "upsert",
    onInvalid: "reject",
    maxInvalidRows: null,
    maxInvalidPercent: null,
    maxFileBytes: 1,
    maxRows: 1,
    columns: [],
  };
  await t.step("a conforming answer passes, its body still readable", async () => {
    const res = await checkAnswer("GET", url, json(type));
    assertEquals((await res.json()).name, "facilities");
  });
  const refused = async (res: Response, message: string, method = "GET", at = url) => {
    const err = await assertRejects(() => checkAnswer(method, at, res));
    assertMatch(String(err), new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  };
  await t.step("a field missing", () => {
    const { table: _, ...rest } = type;
    return refused(json(rest), "refuses: data must have required property 'table'");
  });
  await t.step(
    "a field the schema does not have",
    () => refused(json({ ...type, extra: 1 }), "must NOT have additional properties"),
  );
  await t.step("a status not listed", () => refused(json(type, 201), "does not list"));
  await t.step("an error type not listed for its status", () =>
    refused(
      json({ error: { type: "not_found", message: "x", details: {} } }, 404),
      "must be equal to one of the allowed values",
    ));
  await t.step(
    "another media type",
    () => refused(new Response("a,b", { headers: { "content-type": "text/csv" } }), "content-type"),
  );
  await t.step(
    "an unknown endpoint answering other than the error shape",
    () => refused(json({ ok: true }, 404), "refuses", "GET", "http://x/api/v1/nothing"),
  );
});
