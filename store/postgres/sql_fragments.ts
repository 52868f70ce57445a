/**
 * SQL fragments shared by classify, commit and export. Every identifier comes from upload-type
 * config (validated at start) and is quoted with `sql.id`; nothing from a file reaches SQL text.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { TargetTable } from "../../core/ports.ts";

/** `jsonb_populate_record(NULL::target, s.values)`: staged JSON cast through the target's row type. */
export function typedValues(target: TargetTable, alias = "s"): RawBuilder<unknown> {
  return sql`jsonb_populate_record(NULL::${sql.table(target.table)}, ${sql.ref(alias)}.values)`;
}

/** `a.k1 = b.k1 AND a.k2 = b.k2` over the key columns. */
export function keyJoin(target: TargetTable, left: string, right: string): RawBuilder<unknown> {
  return sql.join(
    target.key.map((k) => sql`${sql.ref(`${left}.${k}`)} = ${sql.ref(`${right}.${k}`)}`),
    sql` AND `,
  );
}

/** A comma list of quoted identifiers, optionally qualified: `t."a", t."b"`. */
export function idList(columns: readonly string[], qualifier?: string): RawBuilder<unknown> {
  return sql.join(columns.map((c) => qualifier ? sql.ref(`${qualifier}.${c}`) : sql.id(c)));
}

/**
 * `jsonb_build_object('a', to_jsonb(t."a"), …)` over `columns`, chunked and concatenated because
 * PostgreSQL functions take at most 100 arguments.
 */
export function jsonbObject(columns: readonly string[], qualifier: string): RawBuilder<unknown> {
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i += 40) {
    const pairs = columns.slice(i, i + 40).map((c) =>
      sql`${sql.lit(c)}, to_jsonb(${sql.ref(`${qualifier}.${c}`)})`
    );
    chunks.push(sql`jsonb_build_object(${sql.join(pairs)})`);
  }
  return chunks.length ? sql.join(chunks, sql` || `) : sql`'{}'::jsonb`;
}

/** A transaction-scoped advisory lock that serializes commits to one target table. */
export function lockTable(table: string): RawBuilder<unknown> {
  return sql`select pg_advisory_xact_lock(hashtext(${commitLockKey(table)}))`;
}

/** The key (before hashing) of the table's commit lock. */
export function commitLockKey(table: string): string {
  return `intake:commit:${table}`;
}

/** A JSON array parameter expanded to integers, portable across drivers (no array binding). */
export function intArray(values: readonly number[]): RawBuilder<unknown> {
  return sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)::int)`;
}

/**
 * Planner settings for the rest of a transaction that joins a run's rows to its target (`on`),
 * or back to normal for a statement that must read the whole target (`off`).
 *
 * With the guard on, the target is never read by a sequential scan. A target that was empty
 * when last analyzed has statistics saying so; the planner then scans it once per staged row,
 * and an `INSERT` that grows the target while doing so never finishes. Index scans, and hash
 * joins built from them, stay linear whatever the statistics say. The run's own staging table
 * has no index then (classification adds one for review, commit drops it), so it is still read
 * sequentially. JIT compilation costs more than it saves on these one-off statements.
 */
export function targetScanGuard(on: boolean): RawBuilder<unknown> {
  return sql`select set_config('enable_seqscan', ${on ? "off" : "on"}, true),
    set_config('jit', 'off', true)`;
}
