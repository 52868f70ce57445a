import type { Handlers, PageProps } from "$fresh/server.ts";
import type { ResolvedUploadType } from "../core/config/upload_type_schema.ts";
import type { Run } from "../core/runs/run.ts";
import { formatTime } from "../components/format.ts";
import { StatusBadge } from "../components/status_badge.tsx";
import { requirePrincipal, visibleActor } from "../server/auth/guards.ts";
import { can } from "../server/auth/principal.ts";
import { renderShared } from "../server/shared_render.ts";
import type { AppState } from "../server/services.ts";

interface TypeCard {
  type: ResolvedUploadType;
  lastRun: Run | null;
  canUpload: boolean;
  canExport: boolean;
}

/**
 * Loads every upload type with its most recent run (read at most once a second, `LastRuns`) and
 * renders the cards once per distinct set of runs.
 */
export const handler: Handlers<TypeCard[], AppState> = {
  async GET(_req, ctx) {
    const { uploadTypes, lastRuns } = ctx.state.services;
    const principal = requirePrincipal(ctx.state);
    const actor = visibleActor(ctx.state);
    const cards = await Promise.all(
      uploadTypes.list().map(async (type) => ({
        type,
        lastRun: await lastRuns.get(type.name, actor),
        canUpload: can(principal, "upload"),
        canExport: can(principal, "export"),
      })),
    );
    return renderShared(ctx, cards);
  },
};

/** `/`: the upload types as cards. */
export default function Home({ data }: PageProps<TypeCard[]>) {
  return (
    <>
      <h1>Upload types</h1>
      {data.length === 0
        ? (
          <div class="empty-state">
            <p>No upload types are configured yet.</p>
            <p class="muted">
              Add a file to <code>config/upload_types/</code> with <code>defineUploadType(…)</code>
              {" "}
              and restart.
            </p>
          </div>
        )
        : (
          <ul class="cards">
            {data.map((card) => <UploadTypeCard key={card.type.name} {...card} />)}
          </ul>
        )}
    </>
  );
}

function UploadTypeCard({ type, lastRun, canUpload, canExport }: TypeCard) {
  const required = type.columns.filter((c) => c.required).map((c) => c.label);
  return (
    <li class="card">
      <h2>
        <a href={`/upload/${type.name}`}>{type.label}</a>
      </h2>
      <p>{type.description}</p>
      <p class="muted small">
        Required columns: {required.join(", ") || "none"}
      </p>
      <p class="small">
        Last run: {lastRun
          ? (
            <>
              <a href={`/runs/${lastRun.id}`}>{formatTime(lastRun.createdAt)}</a>{" "}
              <StatusBadge status={lastRun.status} />
            </>
          )
          : <span class="muted">never</span>}
      </p>
      <p class="actions">
        {canUpload && <a class="button" href={`/upload/${type.name}`}>Upload</a>}
        <a href={`/api/v1/upload-types/${type.name}/template.csv`}>Template</a>
        {canExport && <a href={`/api/v1/upload-types/${type.name}/export.csv`}>Export</a>}
        <a href={`/runs?type=${type.name}`}>History</a>
      </p>
    </li>
  );
}
