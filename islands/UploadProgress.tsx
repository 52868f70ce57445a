import { useRef, useState } from "preact/hooks";

interface Props {
  uploadType: string;
  maxFileBytes: number;
}

interface Sending {
  fileName: string;
  loaded: number;
  total: number;
  startedAt: number;
}

const EXTENSIONS = /\.(csv|tsv|tab|txt)$/i;

/**
 * The upload form. Rendered on the server it is a plain multipart form (it works without
 * JavaScript); hydrated, it checks the file first, sends it with upload progress (percent,
 * bytes, rate, time left, cancel) and then opens the run page, which follows processing.
 */
export default function UploadProgress({ uploadType, maxFileBytes }: Props) {
  const [sending, setSending] = useState<Sending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const xhr = useRef<XMLHttpRequest | null>(null);

  const submit = (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0 && file.name === "") return;
    event.preventDefault();
    if (!EXTENSIONS.test(file.name)) {
      return setError(`"${file.name}" is not a CSV or TSV file (.csv, .tsv, .txt).`);
    }
    if (file.size > maxFileBytes) {
      return setError(
        `"${file.name}" is ${formatBytes(file.size)}; the limit is ${formatBytes(maxFileBytes)}.`,
      );
    }
    setError(null);
    const request = new XMLHttpRequest();
    xhr.current = request;
    const mode = String(data.get("mode") ?? "staged");
    request.open("POST", `/api/v1/uploads/${uploadType}?mode=${encodeURIComponent(mode)}`);
    request.setRequestHeader("prefer", "respond-async");
    const startedAt = Date.now();
    setSending({ fileName: file.name, loaded: 0, total: file.size, startedAt });
    request.upload.onprogress = (e) =>
      setSending({ fileName: file.name, loaded: e.loaded, total: e.total, startedAt });
    request.onload = () => {
      const body = safeJson(request.responseText);
      const runId = body?.id ?? body?.error?.details?.runId;
      if (runId) return location.assign(`/runs/${runId}`);
      setSending(null);
      setError(body?.error?.message ?? `The upload failed (HTTP ${request.status}).`);
    };
    request.onerror = () => {
      setSending(null);
      setError("The connection was lost during the upload. Try again.");
    };
    request.onabort = () => {
      setSending(null);
      setError("Upload cancelled.");
    };
    const body = new FormData();
    body.set("file", file);
    request.send(body);
  };

  return (
    <form
      class="panel upload-form"
      method="post"
      enctype="multipart/form-data"
      onSubmit={submit}
    >
      <fieldset disabled={sending !== null}>
        <legend>What should happen</legend>
        <label>
          <input type="radio" name="mode" value="staged" checked /> Stage for review first
        </label>
        <label>
          <input type="radio" name="mode" value="direct" /> Import directly
        </label>
      </fieldset>
      <label class="file-field">
        <span>CSV or TSV file (up to {formatBytes(maxFileBytes)})</span>
        <input type="file" name="file" accept=".csv,.tsv,.txt,text/csv" required />
      </label>
      {error && <p class="form-error" role="alert">{error}</p>}
      {sending && <ProgressLine sending={sending} />}
      <p class="actions">
        {sending
          ? (
            <button type="button" class="danger" onClick={() => xhr.current?.abort()}>
              Cancel
            </button>
          )
          : <button type="submit">Upload</button>}
        <a href={`/api/v1/upload-types/${uploadType}/template.csv`}>Download the template</a>
      </p>
    </form>
  );
}

function ProgressLine({ sending }: { sending: Sending }) {
  const percent = sending.total ? Math.floor((sending.loaded / sending.total) * 100) : 0;
  const seconds = Math.max((Date.now() - sending.startedAt) / 1000, 0.001);
  const rate = sending.loaded / seconds;
  const left = rate > 0 ? (sending.total - sending.loaded) / rate : 0;
  return (
    <div class="progress">
      <progress max={100} value={percent} aria-label={`Uploading ${sending.fileName}`} />
      <p aria-live="polite">
        {percent} % of {sending.fileName}: {formatBytes(sending.loaded)} of{" "}
        {formatBytes(sending.total)}
        {rate > 0 ? `, ${formatBytes(rate)}/s, about ${Math.ceil(left)} s left` : ", starting…"}
      </p>
    </div>
  );
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Math.round(bytes)} bytes`;
}
