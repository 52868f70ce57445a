import { useEffect, useRef, useState } from "preact/hooks";
import { ConfirmDialog } from "../components/confirm_dialog.tsx";
import { formatNumber } from "../components/format.ts";

interface Props {
  /** The form holding the revert button (posts `intent=revert` to the run page). */
  formId: string;
  /** What the run wrote: new, changed and deleted rows. */
  counts: { new: number; changed: number; deleted: number };
}

/**
 * The revert button of a committed run's page. Server-rendered, it posts its form; hydrated, it
 * asks first in a dialog that says what the revert will do.
 */
export default function RevertAction({ formId, counts }: Props) {
  const [hydrated, setHydrated] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setHydrated(true), []);
  const parts = [
    counts.new && `${formatNumber(counts.new)} inserted rows are deleted`,
    counts.changed && `${formatNumber(counts.changed)} changed rows get their old values`,
    counts.deleted && `${formatNumber(counts.deleted)} deleted rows come back`,
  ].filter(Boolean);
  return (
    <>
      <button
        ref={button}
        type="submit"
        form={formId}
        name="intent"
        value="revert"
        class="danger"
        onClick={(event) => {
          if (!hydrated) return; // without JavaScript the button posts the form at once
          event.preventDefault();
          dialog.current?.showModal();
        }}
      >
        Revert
      </button>
      <ConfirmDialog
        dialog={dialog}
        id="revert"
        title="Revert this import?"
        confirm="Revert now"
        danger
        formId={formId}
        submitter={() => button.current}
      >
        <p>
          The table goes back to how it was before this run
          {parts.length ? `: ${parts.join(", ")}.` : "."}
        </p>
        <p class="muted">
          Refused, with nothing changed, when any of these rows changed since.
        </p>
      </ConfirmDialog>
    </>
  );
}
