import { useEffect, useRef, useState } from "preact/hooks";
import {
  type CommitCounts,
  describeCommit,
  type ExcludedCounts,
} from "../components/commit_summary.ts";
import { ConfirmDialog } from "../components/confirm_dialog.tsx";

type Intent = "commit" | "discard";

interface Props {
  runId: string;
  /** The id of the review form holding the rows' exclude checkboxes. */
  formId: string;
  counts: CommitCounts;
  excluded: ExcludedCounts;
}

/**
 * The commit bar of the review page. Server-rendered, its buttons post the review form (the
 * ticked rows of the page are saved as exclusions first). Hydrated, ticking a row saves the
 * exclusion at once (so choices made on other pages count), the summary follows, and Commit and
 * Discard ask for confirmation in a dialog that says exactly what will happen.
 */
export default function ReviewActions({ runId, formId, counts, excluded: initial }: Props) {
  const [excluded, setExcluded] = useState(initial);
  const [hydrated, setHydrated] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Intent | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const buttons = {
    commit: useRef<HTMLButtonElement>(null),
    discard: useRef<HTMLButtonElement>(null),
  };

  useEffect(() => {
    setHydrated(true);
    const form = document.getElementById(formId);
    const onChange = async (event: Event) => {
      const box = event.target as HTMLInputElement;
      if (box.name !== "exclude") return;
      box.disabled = true;
      const res = await fetch(`/api/v1/runs/${runId}/exclusions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rows: [Number(box.value)], excluded: box.checked }),
      }).catch(() => null);
      box.disabled = false;
      const body = await res?.json().catch(() => null);
      if (res?.ok && body) {
        setExcluded(body.excluded);
        setSaveError(null);
      } else {
        box.checked = !box.checked;
        setSaveError(body?.error?.message ?? "Could not save the change; try again.");
      }
    };
    form?.addEventListener("change", onChange);
    return () => form?.removeEventListener("change", onChange);
  }, [runId, formId]);

  const summary = describeCommit(counts, excluded);
  const writes = counts.new - excluded.new + counts.changed - excluded.changed + counts.deleted -
    excluded.deleted;
  // The server refuses such a commit (`nothing_to_commit`); the button says why beforehand.
  const nothing = writes <= 0 ? nothingReason(counts, excluded) : null;
  const ask = (intent: Intent) => (event: Event) => {
    if (!hydrated) return; // without JavaScript the button posts the form as it is
    event.preventDefault();
    setConfirming(intent);
    dialog.current?.showModal();
  };
  const question = confirming === "discard"
    ? {
      title: "Discard this upload?",
      text: "Nothing will be written to the table; the staged rows are deleted.",
      button: "Discard now",
    }
    : { title: "Commit this upload?", text: summary, button: "Commit now" };
  return (
    <div class="panel commit-bar">
      <p aria-live="polite">{summary}</p>
      {saveError && <p class="form-error" role="alert">{saveError}</p>}
      {nothing && <p id="commit-disabled" class="muted">{nothing}</p>}
      <p class="actions">
        <button
          ref={buttons.commit}
          type="submit"
          name="intent"
          value="commit"
          onClick={ask("commit")}
          disabled={nothing !== null}
          aria-describedby={nothing ? "commit-disabled" : undefined}
        >
          Commit
        </button>
        <button
          ref={buttons.discard}
          type="submit"
          name="intent"
          value="discard"
          class="danger"
          onClick={ask("discard")}
        >
          Discard
        </button>
        {!hydrated && (
          <button type="submit" name="intent" value="select" class="secondary">
            Save ticked rows
          </button>
        )}
      </p>
      <ConfirmDialog
        dialog={dialog}
        id="confirm"
        title={question.title}
        confirm={question.button}
        danger={confirming === "discard"}
        formId={formId}
        submitter={() => confirming && buttons[confirming].current}
        onClose={() => setConfirming(null)}
      >
        <p>{question.text}</p>
        {confirming === "commit" && (
          <p class="muted">
            The changes are written in one transaction.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

/** Why there is nothing to commit: every row is invalid, unchanged or excluded. */
function nothingReason(counts: CommitCounts, excluded: ExcludedCounts): string {
  const excludedTotal = excluded.new + excluded.changed + excluded.deleted;
  const why = excludedTotal > 0
    ? "every row that would change it is excluded"
    : counts.invalid > 0 && counts.unchanged === 0
    ? "every row is invalid"
    : counts.invalid === 0 && counts.unchanged > 0
    ? "every row is unchanged"
    : counts.invalid > 0
    ? "every row is invalid or unchanged"
    : "the file has no rows";
  return `Nothing to commit: no row would change the table (${why}). Fix or include rows, ` +
    "or discard the upload.";
}
