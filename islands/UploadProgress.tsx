import { useEffect, useRef, useState } from "preact/hooks";
import { followRun, type RunSnapshot } from "../components/follow_run.ts";
import {
  type Choice,
  ColumnMapper,
  type FilePreview,
  type MapperColumn,
  missingColumns,
  suggest,
} from "../components/column_mapper.tsx";
import { formatBytes, formatNumber } from "../components/format.ts";
import { headerKey } from "../core/config/header_key.ts";
import { parseCsv } from "../core/stages/parse/csv.ts";
import { StatusBadge } from "../components/status_badge.tsx";
import type { RunStatus } from "../core/runs/run.ts";

interface Props {
  uploadType: string;
  maxFileBytes: number;
  /** The type's columns, to match a file's headers before sending it. */
  columns: readonly MapperColumn[];
  /** The session's anti-CSRF token, for browsers that send no `Origin` with the plain form. */
  csrfToken?: string | null;
  /**
   * A saved mapping the last plain-form upload was asked to confirm (JSON): sent with the next
   * plain-form upload, it confirms it.
   */
  confirmMapping?: string;
}

/** A file waiting for its columns to be matched. */
interface Mapping {
  file: File;
  mode: string;
  preview: FilePreview;
  initial: Choice;
  /** The saved mapping the choice starts from, shown for confirmation. */
  saved?: SavedInfo;
}

/** What `GET …/mapping` says about the saved mapping it found. */
interface SavedInfo {
  id: number;
  shared: boolean;
  savedBy: string | null;
}

type ItemState = "waiting" | "sending" | "processing" | "done" | "failed" | "cancelled";

/** One file of a batch: each becomes a run of its own. */
interface Item {
  key: number;
  file: File;
  state: ItemState;
  loaded: number;
  startedAt: number;
  runId?: string;
  run?: RunSnapshot;
  error?: string;
}

const EXTENSIONS = /\.(csv|tsv|tab|txt|json|ndjson|jsonl|xlsx)$/i;
let nextKey = 1;

/**
 * The upload form. Rendered on the server it is a plain multipart form (it works without
 * JavaScript); hydrated, it takes one or several files (picker or drag and drop), checks each,
 * sends them one after another with upload progress (percent, bytes, rate, time left, cancel),
 * follows processing, and then opens the run's review or run page — or, for a batch, lists every
 * file with its outcome.
 */
export default function UploadProgress(
  { uploadType, maxFileBytes, columns, csrfToken, confirmMapping }: Props,
) {
  const [items, setItems] = useState<Item[]>([]);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  const [hydrated, setHydrated] = useState(false);
  const [dragging, setDragging] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const xhr = useRef<XMLHttpRequest | null>(null);
  const cancelled = useRef(false);
  useEffect(() => setHydrated(true), []);

  const update = (key: number, change: Partial<Item>) =>
    setItems((all) => all.map((item) => item.key === key ? { ...item, ...change } : item));

  const start = async (files: File[], chosen?: Choice) => {
    if (files.length === 0) return;
    // Columns chosen in the page's own mapping step (without JavaScript) go with the file.
    const choice = chosen ?? (confirmMapping ? safeJson(confirmMapping) ?? undefined : undefined);
    const mode = mapping?.mode ?? String(new FormData(form.current!).get("mode") ?? "staged");
    setMapping(null);
    if (files.length === 1 && !choice && !refusal(files[0], maxFileBytes)) {
      setChecking(files[0].name);
      const seen = await readPreview(files[0]) ?? await inspect(uploadType, files[0]);
      const ask = seen && await mappingToAsk(uploadType, columns, seen).catch(() => undefined);
      setChecking(null);
      if (seen && ask) return setMapping({ file: files[0], mode, preview: seen, ...ask });
    }
    const batch: Item[] = files.map((file) => ({
      key: nextKey++,
      file,
      state: "waiting",
      loaded: 0,
      startedAt: 0,
      error: refusal(file, maxFileBytes),
    }));
    for (const item of batch) if (item.error) item.state = "failed";
    setItems(batch);
    cancelled.current = false;
    for (const item of batch) {
      if (item.state !== "waiting") continue;
      if (cancelled.current) {
        update(item.key, { state: "cancelled", error: "Not sent: the batch was cancelled." });
        continue;
      }
      const outcome = await send(item, mode, choice);
      if (batch.length === 1 && outcome.runId) return location.assign(pageOf(outcome));
    }
  };

  /** Uploads one file, then follows its run until it settles. */
  const send = (item: Item, mode: string, choice?: Choice) =>
    new Promise<{ runId?: string; status?: string }>((resolve) => {
      const request = new XMLHttpRequest();
      xhr.current = request;
      const startedAt = Date.now();
      update(item.key, { state: "sending", startedAt });
      const query = new URLSearchParams({ mode });
      if (choice) query.set("mapping", JSON.stringify(choice));
      request.open("POST", `/api/v1/uploads/${uploadType}?${query}`);
      request.setRequestHeader("prefer", "respond-async");
      request.upload.onprogress = (e) => update(item.key, { loaded: e.loaded });
      request.onload = () => {
        const body = safeJson(request.responseText);
        const runId: string | undefined = body?.id ?? body?.error?.details?.runId;
        if (!runId || body?.error) {
          const error = body?.error?.message ?? `The upload failed (HTTP ${request.status}).`;
          update(item.key, { state: "failed", runId, error });
          return resolve({ runId, status: "failed" });
        }
        update(item.key, { state: "processing", runId, run: body });
        followRun(runId, (run) => {
          update(item.key, { run });
          if (run.status === "staged" || run.status === "committed") {
            update(item.key, { state: "done" });
            resolve({ runId, status: run.status });
          } else if (!["queued", "receiving", "processing", "committing"].includes(run.status)) {
            update(item.key, { state: "failed", error: run.error?.message ?? run.status });
            resolve({ runId, status: run.status });
          }
        });
      };
      request.onerror = () => {
        update(item.key, { state: "failed", error: "The connection was lost. Try again." });
        resolve({});
      };
      request.onabort = () => {
        update(item.key, { state: "cancelled", error: "Upload cancelled." });
        resolve({});
      };
      const body = new FormData();
      body.set("file", item.file);
      request.send(body);
    });

  const cancel = () => {
    cancelled.current = true;
    xhr.current?.abort();
  };

  const busy = checking !== null ||
    items.some((item) => item.state === "sending" || item.state === "waiting");
  return (
    <form
      ref={form}
      class="panel upload-form"
      method="post"
      enctype="multipart/form-data"
      onSubmit={(event) => {
        const input = event.currentTarget.elements.namedItem("file") as HTMLInputElement;
        if (!input.files?.length) return;
        event.preventDefault();
        start([...input.files]);
      }}
    >
      {
        /* First in the form (the server reads it before the file streams in); "_csrf" is
          CSRF_FIELD of server/auth/csrf.ts, which an island cannot import. */
      }
      {csrfToken && <input type="hidden" name="_csrf" value={csrfToken} />}
      {confirmMapping && <input type="hidden" name="mapping" value={confirmMapping} />}
      <fieldset disabled={busy}>
        <legend>What should happen</legend>
        <label>
          <input type="radio" name="mode" value="staged" checked /> Stage for review first
        </label>
        <label>
          <input type="radio" name="mode" value="direct" /> Import directly
        </label>
      </fieldset>
      <label
        class={`file-field dropzone${dragging ? " dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (!busy) start([...e.dataTransfer?.files ?? []]);
        }}
      >
        <span>
          {hydrated
            ? "Drop CSV, TSV, JSON or Excel files here, or choose them"
            : "CSV, TSV, JSON or Excel file"} (up to {formatBytes(maxFileBytes)} each)
        </span>
        <input
          type="file"
          name="file"
          accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.xlsx,text/csv,text/tab-separated-values,application/json"
          multiple={hydrated}
          required
          disabled={busy}
        />
      </label>
      {mapping && (
        <ColumnMapper
          columns={columns}
          preview={mapping.preview}
          initial={mapping.initial}
          saved={mapping.saved}
          fileName={mapping.file.name}
          onConfirm={(choice) => start([mapping.file], choice)}
          onCancel={() => setMapping(null)}
        />
      )}
      {checking && <p class="muted" aria-live="polite">Reading the columns of {checking}…</p>}
      {items.length > 0 && (
        <ul class="upload-list" aria-live="polite">
          {items.map((item) => <ItemLine key={item.key} item={item} />)}
        </ul>
      )}
      {!mapping && (
        <p class="actions">
          {busy
            ? <button type="button" class="danger" onClick={cancel}>Cancel</button>
            : <button type="submit">Upload</button>}
          <a href={`/api/v1/upload-types/${uploadType}/template.csv`}>Download the template</a>
        </p>
      )}
    </form>
  );
}

function ItemLine({ item }: { item: Item }) {
  const { file, run } = item;
  const link = item.runId && (
    <a href={pageOf({ runId: item.runId, status: run?.status })}>
      {run?.status === "staged" ? "Review" : "View run"}
    </a>
  );
  return (
    <li class={`upload-item upload-${item.state}`}>
      <strong>{file.name}</strong>
      {item.state === "waiting" && <span class="muted">waiting</span>}
      {item.state === "sending" && <SendingLine item={item} />}
      {item.state === "processing" && (
        <span>
          Processing: {formatNumber(run?.progress.rows ?? 0)} rows so far… {link}
        </span>
      )}
      {item.state === "done" && run && (
        <span>
          <StatusBadge status={run.status as RunStatus} /> {formatNumber(run.counts.new)} new,{" "}
          {formatNumber(run.counts.changed)} changed, {formatNumber(run.counts.unchanged)}{" "}
          unchanged, {formatNumber(run.counts.invalid)} invalid {link}
        </span>
      )}
      {(item.state === "failed" || item.state === "cancelled") && (
        <span role="alert" class="form-error">{item.error} {link}</span>
      )}
    </li>
  );
}

function SendingLine({ item }: { item: Item }) {
  const total = item.file.size;
  const percent = total ? Math.floor((item.loaded / total) * 100) : 0;
  const seconds = Math.max((Date.now() - item.startedAt) / 1000, 0.001);
  const rate = item.loaded / seconds;
  const left = rate > 0 ? (total - item.loaded) / rate : 0;
  return (
    <span class="progress">
      <progress max={100} value={percent} aria-label={`Uploading ${item.file.name}`} />
      {percent} %: {formatBytes(item.loaded)} of {formatBytes(total)}
      {rate > 0 ? `, ${formatBytes(rate)}/s, about ${Math.ceil(left)} s left` : ", starting…"}
    </span>
  );
}

/** A file's header and first rows, and the saved column mapping that applies if known. */
interface Preview extends FilePreview {
  /** The saved mapping (null: none); undefined when not asked yet. */
  saved?: Choice | null;
  savedMapping?: SavedInfo | null;
}

/** Largest JSON or Excel file whose columns are read on the server before it is sent. */
const INSPECT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * The header and first records of a CSV or TSV file, read in the browser from its first 64 KiB;
 * undefined for other formats (see {@linkcode inspect}).
 */
async function readPreview(file: File): Promise<Preview | undefined> {
  if (!/\.(csv|tsv|tab|txt)$/i.test(file.name)) return undefined;
  let text = await file.slice(0, 64 * 1024).text();
  if (file.size > 64 * 1024) text = text.slice(0, text.lastIndexOf("\n") + 1);
  const delimiter = /\.(tsv|tab)$/i.test(file.name) ? "\t" as const : undefined;
  const records: string[][] = [];
  try {
    for await (const batch of parseCsv([text], { delimiter, batchSize: 6 })) {
      records.push(...batch.map((r) => r.fields));
      if (records.length >= 6) break;
    }
  } catch {
    return undefined; // the server will say what is wrong with the file
  }
  if (records.length === 0) return undefined;
  return { header: records[0], rows: records.slice(1) };
}

/**
 * The header, first rows and saved mapping of a JSON, NDJSON or Excel file, read by the server
 * (`POST /api/v1/upload-types/{type}/inspect`, no run). Undefined for larger files and on any
 * error: the file is then sent as it is, and the upload reports what is wrong.
 */
async function inspect(uploadType: string, file: File): Promise<Preview | undefined> {
  if (!/\.(json|ndjson|jsonl|xlsx)$/i.test(file.name) || file.size > INSPECT_MAX_BYTES) return;
  const body = new FormData();
  body.set("file", file);
  const res = await fetch(`/api/v1/upload-types/${uploadType}/inspect`, { method: "POST", body })
    .catch(() => null);
  const found = res?.ok ? await res.json().catch(() => null) : null;
  if (!Array.isArray(found?.header)) return undefined;
  return {
    header: found.header,
    rows: found.rows ?? [],
    saved: found.mapping ?? null,
    savedMapping: found.savedMapping ?? null,
  };
}

/**
 * The choice to start the mapping step with, or undefined when every header matches a column by
 * name and the file can go as it is. A saved mapping that applies is never used unasked: the step starts from
 * it, for the uploader to check and confirm (the server refuses it otherwise, `mapping_required`).
 */
async function mappingToAsk(
  uploadType: string,
  columns: readonly MapperColumn[],
  preview: Preview,
): Promise<{ initial: Choice; saved?: SavedInfo } | undefined> {
  const byName: Choice = {};
  for (const h of preview.header) {
    const column = columns.find((c) =>
      [c.name, c.label, ...c.aliases].some((k) => headerKey(k) === headerKey(h))
    );
    byName[h] = column?.name ?? null;
  }
  const missing = missingColumns(columns, byName).length > 0;
  // A saved mapping only ever maps headers that match nothing by name.
  if (Object.values(byName).every((c) => c !== null)) {
    return missing ? { initial: suggest(columns, preview) } : undefined;
  }
  let { saved, savedMapping } = preview;
  if (saved === undefined) {
    const headers = encodeURIComponent(JSON.stringify(preview.header));
    const res = await fetch(`/api/v1/upload-types/${uploadType}/mapping?headers=${headers}`)
      .catch(() => null);
    const found = res?.ok ? await res.json() : null;
    saved = found?.mapping ?? null;
    savedMapping = found?.savedMapping ?? null;
  }
  // Headers that match no column are shown before anything is sent: the uploader sees what
  // would be left out, and may send them somewhere.
  if (!saved || !savedMapping) return { initial: suggest(columns, preview) };
  // Start from what was saved; suggestions only for the other headers and columns.
  const taken = new Set(Object.values(saved));
  const suggested = Object.entries(suggest(columns, preview))
    .map(([h, c]) => [h, c && taken.has(c) ? null : c]);
  return { initial: { ...Object.fromEntries(suggested), ...saved }, saved: savedMapping };
}

/** Why a file is refused before sending, or undefined when it may go. */
function refusal(file: File, maxFileBytes: number): string | undefined {
  if (!EXTENSIONS.test(file.name)) {
    return "Not a CSV, TSV, JSON or Excel file (.csv, .tsv, .txt, .json, .ndjson, .xlsx).";
  }
  if (file.size > maxFileBytes) {
    return `${formatBytes(file.size)} is over the limit of ${formatBytes(maxFileBytes)}.`;
  }
}

/** The page to open for a run: its review once staged, else the run page. */
function pageOf({ runId, status }: { runId?: string; status?: string }): string {
  return status === "staged" ? `/runs/${runId}/review` : `/runs/${runId}`;
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
