import type { ComponentChildren, RefObject } from "preact";

/**
 * The dialog an island opens before a final action (commit, discard, revert): a title, what will
 * happen, and a confirm button that submits the action's form as the button that opened the
 * dialog would have, or Cancel. Without JavaScript the dialog is never opened and that button
 * posts the form itself.
 */
export function ConfirmDialog(
  { dialog, id, title, children, confirm, danger, formId, submitter, onClose }: {
    dialog: RefObject<HTMLDialogElement>;
    /** Prefix of the title's id (the dialog is labelled by its title). */
    id: string;
    title: string;
    children: ComponentChildren;
    /** The confirm button's text ("Commit now"). */
    confirm: string;
    danger?: boolean;
    /** The form the action posts. */
    formId: string;
    /** The button that opened the dialog: its `name=value` goes with the form. */
    submitter: () => HTMLButtonElement | null;
    onClose?: () => void;
  },
) {
  return (
    <dialog ref={dialog} aria-labelledby={`${id}-title`} onClose={onClose}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
      <p class="actions">
        <button
          type="button"
          class={danger ? "danger" : undefined}
          onClick={() => {
            const button = submitter();
            dialog.current?.close();
            const form = document.getElementById(formId) as HTMLFormElement | null;
            form?.requestSubmit(button ?? undefined);
          }}
        >
          {confirm}
        </button>
        <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </p>
    </dialog>
  );
}
